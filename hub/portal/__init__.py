"""The enterprise portal's core: how an enterprise signs in.

Development hands out one-time login links (:mod:`hub.portal.links`);
production signs in through the enterprise identity provider with OpenID
Connect (:mod:`hub.portal.oidc`).  Either way the result is the same
SUBJECT principal the API knows (:mod:`hub.portal.identity`), so every page
acts through the same services and the door as the API.
"""

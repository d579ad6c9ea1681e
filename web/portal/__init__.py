"""The enterprise portal (``/portal``): an enterprise uses the hub as itself.

It signs in with a one-time link (development) or OpenID Connect
(production) — :mod:`hub.portal` — and from then on acts as the same
SUBJECT principal its API token would be: every page and action calls the
services the GraphQL resolvers call, through the same door, audited alike.
"""

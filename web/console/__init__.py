"""The admin console at ``/console``: platform admins without writing GraphQL.

Signed in with an ADMIN client's ``client_id``/``client_secret``; every
action calls the same service as the GraphQL mutation of the same name,
with the admin as the actor, so it is audited the same way.
"""

from web.console.routes import routes

__all__ = ["routes"]

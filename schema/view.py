"""The GraphQL HTTP/WebSocket view: authentication, one unit of work, coded errors.

A response that carries data is sent only after its unit of work — with the
audit events of every read in it — has committed.  If that commit fails the
caller gets an ``INTERNAL`` error and no data.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from graphql import ExecutionResult as CoreResult
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from cross_web import HTTPException
from strawberry.types import ExecutionResult

from hub.auth.authenticate import principal_from_request
from hub.auth.principal import ANONYMOUS
from hub.errors import ErrorCode, HubError
from schema.context import Context
from schema.errors import internal_error

__all__ = ["HubGraphQL"]

log = logging.getLogger("hub.graphql")


def _error_body(message: str, code: ErrorCode) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": str(code)}}]}


class HubGraphQL(GraphQL):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # Malformed requests get a GraphQL-shaped body, never a bare page.
            response = JSONResponse(
                _error_body(exc.reason, ErrorCode.VALIDATION_ERROR),
                status_code=exc.status_code,
            )
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        hub = request.app.state.hub
        header = request.headers.get("authorization")
        if isinstance(request, WebSocket) and not header:
            header = None  # graphql-transport-ws sends it in connection_init
        principal, error = ANONYMOUS, None
        try:
            found = await principal_from_request(header, hub)
            if found is not None:
                principal = found
        except HubError as exc:
            error = exc
        ctx = Context(
            hub=hub, principal=principal, request=request, response=response,
            auth_error=error,
        )
        if principal.authenticated and hub.limiter is not None:
            limit = hub.settings.rate_limit_per_minute
            allowed, retry_after = await hub.limiter.hit(
                f"rate:{principal.id}", limit, 60.0
            )
            if not allowed:
                ctx.auth_error = HubError(
                    f"Rate limit of {limit} requests per minute exceeded; retry in "
                    f"{retry_after:.0f} s.",
                    ErrorCode.RATE_LIMITED,
                    retryAfter=round(retry_after, 1),
                )
        return ctx

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        context: Context = kwargs["context"]
        try:
            result = await super().execute_operation(*args, **kwargs)
        except BaseException:
            await context.finish(keep=False)
            raise
        if not isinstance(result, ExecutionResult | CoreResult):
            await context.finish(keep=True)
            return result
        try:
            await context.finish(keep=result.data is not None)
        except Exception:
            log.exception("commit of a GraphQL unit of work failed")
            return ExecutionResult(
                data=None,
                errors=[internal_error(
                    "The access could not be recorded in the audit trail, so no "
                    "data is returned. Try again later."
                )],
            )
        return result

    def encode_json(self, data: object) -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


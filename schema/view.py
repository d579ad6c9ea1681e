"""The GraphQL HTTP/WebSocket view: authentication, one unit of work, coded errors.

A response that carries data is sent only after its unit of work — with the
audit events of every read in it — has committed.  If that commit fails the
caller gets an ``INTERNAL`` error and no data.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import ExecutionResult as CoreResult
from graphql import GraphQLError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types import ExecutionResult

from hub.auth.authenticate import principal_from_request
from hub.auth.officer import HEADER as OFFICER_HEADER
from hub.auth.officer import with_officer
from hub.auth.principal import ANONYMOUS, Principal
from hub.errors import ErrorCode, HubError
from hub.metrics import GRAPHQL_ERRORS, RATE_LIMITED, SUBSCRIPTIONS
from hub.outages import OUTAGE_MESSAGE, BackendOutage, outage_of
from hub.request_log import bind_operation, bind_principal
from schema.context import Context
from schema.errors import coded_error, internal_error
from schema.hot import Compiled, Decided, Plans, encode_json

__all__ = ["HubGraphQL", "SocketContext"]

log = logging.getLogger("hub.graphql")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# Where the compiled path leaves the context it decided (schema.hot).
_CONTEXT = "hub.graphql.context"
# No input of the schema nests deeper than a few levels; a body nesting
# deeper is hostile (and deep values make every later walk over them costly).
MAX_JSON_DEPTH = 32


def _no_constant(name: str) -> Any:
    # Python reads NaN and Infinity; JSON (RFC 8259) has no such numbers.
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


# Built once: ``json.loads`` with an option makes a new decoder per call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _depth_over(value: object, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` arrays/objects (iteratively)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _error_body(message: str, code: ErrorCode) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": str(code)}}]}


class SocketContext(Context):
    """Context of one WebSocket connection (shared by its operations).

    ``connection_params`` is the ``connection_init`` payload (strawberry sets
    it because the attribute exists); ``authorization`` is the credential the
    socket authenticated with, kept so long-lived subscriptions can re-check
    it on every message (``schema.alerts``).
    """

    connection_params: dict[str, Any] | None = None
    authorization: str | None = None

    def db(self) -> Any:
        # Over the socket only subscriptions are served; they open their own
        # units of work per delivery.  A query or mutation sent here would
        # have no request scope to commit its audit rows: refuse it.
        raise HubError(
            "Over WebSocket only subscriptions are served; send queries and "
            "mutations as HTTP POST /graphql.",
            ErrorCode.VALIDATION_ERROR,
        )

    async def session(self) -> Any:
        return self.db()


async def _authenticate(
    header: str | None, hub: Any
) -> tuple[Principal, HubError | None]:
    """(principal, None) for a good or absent credential; (ANONYMOUS, error) else.

    The client's status lives in the cache (Redis) and the database: with
    either away the error is a 503 refusal, not an exception.
    """
    try:
        found = await principal_from_request(header, hub)
    except HubError as exc:
        return ANONYMOUS, exc
    except Exception as exc:
        backend = outage_of(exc)
        if backend is None:
            raise
        return ANONYMOUS, _outage(hub, backend, exc)
    return (found or ANONYMOUS), None


def _init_authorization(params: dict[str, Any]) -> str | None:
    """``Authorization``/``authorization`` ("Bearer …") or ``token`` of the payload.

    Raises ``UNAUTHENTICATED`` for a credential that is not a string.
    """
    for key in ("Authorization", "authorization", "token"):
        if key not in params:
            continue
        value = params[key]
        if not isinstance(value, str):
            raise HubError(
                f"connection_init payload key {key!r} must be a string.",
                ErrorCode.UNAUTHENTICATED,
            )
        return f"Bearer {value}" if key == "token" else value
    return None


async def _authenticate_socket(ctx: SocketContext, params: dict[str, Any]) -> None:
    """Credentials of a ``connection_init`` payload replace the header's."""
    try:
        header = _init_authorization(params)
    except HubError as exc:
        ctx.principal, ctx.auth_error, ctx.authorization = ANONYMOUS, exc, None
        return
    if header is not None and header != ctx.authorization:
        ctx.authorization = header
        ctx.principal, ctx.auth_error = await _authenticate(header, ctx.hub)
        await _rate_limit(ctx)


class Refusal(HubError):
    """A request refused before execution, with the HTTP status it gets
    (contract v2: ``RATE_LIMITED`` is 429 with ``Retry-After``; a backend
    outage is 503) and the usual GraphQL error body."""

    def __init__(
        self, message: str, code: ErrorCode, status: int, retry_after: float, **kw: Any
    ) -> None:
        super().__init__(message, code, **kw)
        self.status = status
        self.retry_after = max(1, math.ceil(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def _outage(hub: Any, backend: str, error: BaseException) -> Refusal:
    hub.outages.report(backend, error)
    return Refusal(OUTAGE_MESSAGE.format(backend=backend), ErrorCode.INTERNAL, 503, 30)


async def _rate_limit(ctx: Context) -> None:
    """Per principal once authenticated; per client address before that.

    The address is the peer's unless it is a trusted proxy (hub.forwarded),
    so rotating X-Forwarded-For buys nothing.
    """
    hub = ctx.hub
    if hub.limiter is None:
        return
    if ctx.principal.authenticated:
        key, limit = f"rate:{ctx.principal.id}", hub.settings.rate_limit_per_minute
        who = "requests per minute"
    else:
        client = getattr(ctx.request, "client", None)
        address = client.host if client else "unknown"
        key = f"anon:{address}"
        limit = hub.settings.anonymous_rate_limit_per_minute
        who = "requests per minute without a valid token from this address"
    try:
        allowed, retry_after = await hub.limiter.hit(key, limit, 60.0)
    except Exception as exc:
        backend = outage_of(exc)
        if backend is None:
            raise
        ctx.auth_error = _outage(hub, backend, exc)
        return
    if not allowed:
        RATE_LIMITED.labels(
            "principal" if ctx.principal.authenticated else "address"
        ).inc()
        ctx.auth_error = Refusal(
            f"Rate limit of {limit} {who} exceeded; retry in "
            f"{math.ceil(retry_after)} s.",
            ErrorCode.RATE_LIMITED,
            429,
            retry_after,
            retryAfter=round(retry_after, 1),
        )


def _unavailable(sub_response: Any) -> None:
    sub_response.status_code = 503
    sub_response.headers["Retry-After"] = "30"


def _coded_refusals(scope: Any, receive: Any, send: Any) -> Any:
    """Strawberry refuses malformed requests (bad JSON, no query, wrong
    method) with a plain-text 4xx; send them as GraphQL-shaped bodies with a
    code instead, never a bare page."""
    refused: dict[str, Any] = {}

    async def coded(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            plain = headers.get(b"content-type", b"").startswith(b"text/plain")
            if message["status"] >= 400 and plain:
                refused.update(status=message["status"], body=b"")
                return
        elif message["type"] == "http.response.body" and refused:
            refused["body"] += message.get("body", b"")
            if not message.get("more_body", False):
                reason = refused["body"].decode("utf-8", "replace") or "Bad request."
                status = refused["status"]
                response = JSONResponse(
                    _error_body(reason, ErrorCode.VALIDATION_ERROR),
                    status_code=status,
                    # RFC 9110 §15.5.6: a 405 names the methods that work.
                    headers={"Allow": "GET, POST"} if status == 405 else None,
                )
                await response(scope, receive, send)
            return
        await send(message)

    return coded


_OPERATION = re.compile(
    r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)"
)


def _operation_name(data: Any) -> str | None:
    """The operation's name for the logs: given, or the document's first."""
    if isinstance(data, list):
        return ",".join(filter(None, map(_operation_name, data))) or None
    return _named(getattr(data, "operation_name", None), getattr(data, "query", None))


def _named(name: Any, query: Any) -> str | None:
    if name:
        return str(name)[:100]
    found = _OPERATION.match(query if isinstance(query, str) else "")
    return found.group(1) if found else None


async def _whole_body(receive: Any) -> tuple[bytes, Any]:
    """The request body, and a ``receive`` that hands it out again."""
    messages, chunks = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    replay = iter(messages)

    async def replayed() -> Any:
        return next(replay, None) or await receive()

    return b"".join(chunks), replayed


class CountedSubscriptions(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws with ``hub_graphql_subscriptions_active``."""

    async def run_operation(self, operation: Any) -> None:
        SUBSCRIPTIONS.inc()
        try:
            await super().run_operation(operation)
        finally:
            SUBSCRIPTIONS.dec()


class HubGraphQL(GraphQL):
    """Strawberry's view with the hub's authentication and unit of work.

    ``ide_page`` (set by the composition root) renders the GraphiQL page
    from the hub's own files instead of Strawberry's CDN-loading page.
    """

    ide_page: Callable[[Request], Awaitable[Response]] | None = None
    #: Compiled documents (schema.hot); None runs every document through
    #: the executor (``HUB_COMPILED_READS=false``).
    plans: Plans | None = None

    async def render_graphql_ide(self, request: Request) -> Response:
        if self.ide_page is not None:
            return await self.ide_page(request)
        return await super().render_graphql_ide(request)

    graphql_transport_ws_handler_class = CountedSubscriptions

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self.plans is not None and scope["method"] == "POST":
            receive = await self._compiled(scope, receive, send)
            if receive is None:
                return
        await super().__call__(scope, receive, _coded_refusals(scope, receive, send))

    async def _compiled(self, scope: Any, receive: Any, send: Any) -> Any:
        """Answer a compiled document (schema.hot); else the ``receive`` the
        executor's path reads the request from (None: answered here)."""
        plans = self.plans
        assert plans is not None
        headers = Headers(scope=scope)
        if not headers.get("content-type", "").startswith(
            "application/json"
        ) or GRAPHQL_RESPONSE_JSON in headers.get("accept", ""):
            return receive
        body, receive = await _whole_body(receive)
        try:
            data = self.decode_json(body)
        except json.JSONDecodeError:
            return receive
        if not isinstance(data, dict):
            return receive
        query, name = data.get("query"), data.get("operationName")
        variables = data.get("variables") or {}
        if (
            not isinstance(query, str)
            or not (name is None or isinstance(name, str))
            or not isinstance(variables, dict)
        ):
            return receive
        plan = plans.get(query, name)
        if plan is None:
            return receive
        arguments = plan.arguments(variables)
        if arguments is None:
            return receive
        request = Request(scope, receive)
        context = await self.get_context(request, None)
        # Whatever happens next, authentication and the rate limit are
        # decided: the executor's path takes this context as it is.
        scope[_CONTEXT] = context
        principal = context.principal
        if (
            context.auth_error is not None
            or not principal.authenticated
            or not set(principal.scopes) & plan.field.scopes
        ):
            return receive  # the field's permission class explains
        bind_operation(_named(name, query))
        try:
            answer = await plan.field.run(context, *arguments)
        except Decided as exc:
            await context.finish(keep=False)
            await self._failed(plan, context, exc.error, send, scope, receive)
            return None
        except Exception:
            # Nothing was read: the executor runs it (and explains a failure).
            await context.finish(keep=False)
            return receive
        if answer is None:
            return receive
        try:
            content = plan.body(answer)
            await context.finish(keep=True)
        except Exception as exc:
            await context.finish(keep=False)
            await self._failed(plan, context, exc, send, scope, receive)
            return None
        await Response(content, media_type="application/json")(scope, receive, send)
        return None

    async def _failed(
        self,
        plan: Compiled,
        context: Context,
        error: Exception,
        send: Any,
        scope: Any,
        receive: Any,
    ) -> None:
        """A compiled read that failed after it read: the executor's error
        for the field (coded; an unexpected one logged), no data."""
        hub = context.hub
        raised = GraphQLError(
            str(error), nodes=[plan.node], path=[plan.key], original_error=error
        )
        coded = coded_error(raised, hub.outages)
        GRAPHQL_ERRORS.labels(str((coded.extensions or {}).get("code"))).inc()
        headers: dict[str, str] = {}
        status = 200
        if isinstance(coded.original_error, BackendOutage):
            status, headers["Retry-After"] = 503, "30"
        body = self.encode_json({"data": None, "errors": [coded.formatted]})
        await Response(
            body, status_code=status, media_type="application/json", headers=headers
        )(scope, receive, send)

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Any
    ) -> Context:
        decided: Context | None = request.scope.get(_CONTEXT)
        if decided is not None:  # by the compiled path, which declined
            decided.request, decided.response = request, response
            return decided
        hub = request.app.state.hub
        header = request.headers.get("authorization")
        principal, error = await _authenticate(header, hub)
        bind_principal(principal.id if principal.authenticated else None)
        if error is None:
            try:
                principal = with_officer(principal, request.headers.get(OFFICER_HEADER))
            except HubError as exc:
                error = exc
        cls = SocketContext if isinstance(request, WebSocket) else Context
        ctx = cls(
            hub=hub,
            principal=principal,
            request=request,
            response=response,
            auth_error=error,
        )
        if isinstance(ctx, SocketContext):
            ctx.authorization = header
        if not isinstance(error, Refusal):
            await _rate_limit(ctx)
        return ctx

    async def on_ws_connect(self, context: Any) -> Any:
        """graphql-transport-ws: authenticate from the ``connection_init`` payload.

        Browsers cannot set headers on a WebSocket, so clients send
        ``{"Authorization": "Bearer <token>"}`` (or ``{"token": "<token>"}``) as
        the payload; it replaces what the upgrade request's header said.
        """
        params = getattr(context, "connection_params", None)
        if isinstance(context, SocketContext) and isinstance(params, dict):
            await _authenticate_socket(context, params)
        return await super().on_ws_connect(context)

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        context: Context = kwargs["context"]
        bind_operation(_operation_name(kwargs.get("request_data")))
        refusal = context.auth_error
        if isinstance(refusal, Refusal):
            # Refused before execution: nothing runs, the status says why.
            sub_response = kwargs["sub_response"]
            sub_response.status_code = refusal.status
            sub_response.headers.update(refusal.headers())
            return ExecutionResult(
                data=None,
                errors=[GraphQLError(refusal.message, extensions=refusal.extensions())],
            )
        try:
            result = await super().execute_operation(*args, **kwargs)
        except BaseException:
            await context.finish(keep=False)
            raise
        if not isinstance(result, ExecutionResult | CoreResult):
            await context.finish(keep=True)
            return result
        sub_response = kwargs["sub_response"]
        try:
            await context.finish(keep=result.data is not None)
        except HubError as exc:
            return ExecutionResult(
                data=None,
                errors=[GraphQLError(exc.message, extensions=exc.extensions())],
            )
        except Exception as exc:
            backend = outage_of(exc)
            if backend is None:
                log.exception("commit of a GraphQL unit of work failed")
            else:
                context.hub.outages.report(backend, exc)
                _unavailable(sub_response)
            return ExecutionResult(
                data=None,
                errors=[
                    internal_error(
                        "The access could not be recorded in the audit trail, so no "
                        "data is returned. Try again later."
                    )
                ],
            )
        if result.data is None and any(
            isinstance(e.original_error, BackendOutage) for e in result.errors or ()
        ):
            _unavailable(sub_response)  # nothing was answered: a backend is away
        return result

    async def process_result(self, request: Any, result: Any) -> Any:
        # Parse errors skip the extensions' result hooks: code them here too.
        if result.errors:
            result.errors = [
                e if (e.extensions or {}).get("code") else coded_error(e)
                for e in result.errors
            ]
            for e in result.errors:
                GRAPHQL_ERRORS.labels(str((e.extensions or {}).get("code"))).inc()
        return await super().process_result(request, result)

    async def get_sub_response(self, request: Any) -> Any:
        sub = await super().get_sub_response(request)
        accept = request.headers.get("accept", "")
        sub.graphql_response_json = GRAPHQL_RESPONSE_JSON in accept and (  # type: ignore[attr-defined]
            "application/json" not in accept
            or accept.index(GRAPHQL_RESPONSE_JSON) < accept.index("application/json")
        )
        return sub

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "graphql_response_json", False):
            refused = sub_response.status_code in (429, 503)
            # GraphQL-over-HTTP: with this media type a request error (no
            # execution: parse, validation) is a 4xx and has no data entry.
            response.media_type = GRAPHQL_RESPONSE_JSON
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if (
                not refused
                and isinstance(response_data, dict)
                and response_data.get("data") is None
                and response_data.get("errors")
                and all("path" not in e for e in response_data["errors"])
            ):
                codes = {
                    e.get("extensions", {}).get("code") for e in response_data["errors"]
                }
                response_data = {"errors": response_data["errors"]}
                response.body = self.encode_json(response_data).encode()
                response.headers["content-length"] = str(len(response.body))
                response.status_code = 401 if codes == {"UNAUTHENTICATED"} else 400
        return response

    def encode_json(self, data: object) -> str:
        return encode_json(data)

    def decode_json(self, data: str | bytes) -> object:
        """JSON of a request body or parameter; anything else is a coded 400.

        Strawberry turns ``JSONDecodeError`` into "Unable to parse request
        body as JSON" (coded by :func:`_coded_refusals`); bytes that are not
        UTF-8 (RFC 8259 §8.1) and nesting beyond :data:`MAX_JSON_DEPTH` end
        there too instead of escaping as a 500.
        """
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError(
                    "request body is not UTF-8", "", exc.start
                ) from None
        try:
            value = _DECODER.decode(data)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None
        except json.JSONDecodeError:
            raise
        except ValueError:  # e.g. an integer of more than 4300 digits
            raise json.JSONDecodeError("a number too long to read", "", 0) from None
        if value is None:
            return {}  # "variables": null is no variables; a null body no query
        if not isinstance(value, dict | list):
            # A body (or its variables) is an object; 0 or "x" is not a request.
            raise json.JSONDecodeError("not a JSON object", "", 0)
        if _depth_over(value, MAX_JSON_DEPTH):
            raise json.JSONDecodeError("nested too deeply", "", 0)
        return value

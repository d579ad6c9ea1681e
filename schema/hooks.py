"""Schema-extension hooks built once per extension class, not once per request.

Strawberry makes new extension instances for every operation and, for each
of the four lifecycle stages (operation, parse, validate, execute), wraps
every extension's hook in ``contextlib.contextmanager`` anew — and that
wrapping (``functools.wraps``) was about a tenth of a worker's CPU on the
hot profile read.  A hook is a method of the extension's class, so the
wrapper can be made once per (class, stage) and bound to each request's
instance with ``functools.partial``: the same context manager is entered,
in the same order, with the same instance, as before.
"""

from __future__ import annotations

import contextlib
import inspect
from asyncio import iscoroutinefunction
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

__all__ = ["LeanExtensionsRunner"]

#: (extension class, hook name) → (context-manager factory taking the
#: instance, whether it is async), or None when the class has no such hook.
_MADE: dict[tuple[type, str], tuple[Callable[..., Any], bool] | None] = {}


def _make(cls: type, name: str) -> tuple[Callable[..., Any], bool] | None:
    fn = getattr(cls, name)
    if fn is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(fn):
        return contextlib.contextmanager(fn), False
    if inspect.isasyncgenfunction(fn):
        return contextlib.asynccontextmanager(fn), True
    if not callable(fn):
        raise ValueError(f"Hook {name} on {cls} must be callable, received {fn!r}")
    if iscoroutinefunction(fn):

        @contextlib.asynccontextmanager
        async def call_async(extension: SchemaExtension) -> AsyncIterator[None]:
            await fn(extension)
            yield

        return call_async, True

    @contextlib.contextmanager
    def call(extension: SchemaExtension) -> Iterator[None]:
        fn(extension)
        yield

    return call, False


class _Cached(ExtensionContextManagerBase):
    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        key = (type(extension), self.HOOK_NAME)
        try:
            made = _MADE[key]
        except KeyError:
            made = _MADE[key] = _make(type(extension), self.HOOK_NAME)
        if made is None:
            return None
        factory, is_async = made
        return WrappedHook(
            extension=extension, hook=partial(factory, extension), is_async=is_async
        )


class _Operation(_Cached, OperationContextManager):
    pass


class _Validation(_Cached, ValidationContextManager):
    pass


class _Parsing(_Cached, ParsingContextManager):
    pass


class _Executing(_Cached, ExecutingContextManager):
    pass


class LeanExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner with hooks wrapped once per extension class."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)

"""Compiled reads: a hot query answered without running the GraphQL executor.

A bank's integration sends the same few documents over and over — the
consented ``creditProfile`` read above all.  For those, graphql-core's
executor (a resolver call, a completion and a path entry per field of every
record) was most of a read's CPU.  This module compiles such a document,
once, into plain Python: the root field's work is done by the field's own
service call (``HotField.run``), and the answer object is turned into JSON by
getters and serializers taken from the schema (the same Strawberry fields,
the same scalar and enum serializers the executor would use).

A document is compiled only when the compiled answer is the executor's answer:

* it parses and validates against the schema with the hub's rules;
* its operation is a query of exactly one root field registered here;
* no directive appears anywhere, every fragment applies to exactly the
  object type it is spread on, and every field below the root is a plain
  attribute of its object (no resolver, no arguments, no permission) or
  one the root field's ``run`` answers (``HotField.nested``).

Everything else — and every request this path declines at run time before
anything happened (bad variables, a refused token, a refusal the door must
explain) — goes to the executor as before, with the authentication and rate
limit already decided here handed over, so nothing is counted twice.  Once
``run`` has read (and audited) the answer is sent from here.

``HUB_COMPILED_READS=false`` turns the path off; tests compare both answers
byte for byte.
"""

from __future__ import annotations

import json
import keyword
import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_argument_values,
    get_operation_ast,
    get_variable_values,
    parse,
    specified_rules,
    type_from_ast,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from schema.context import Context
from schema.limits import MAX_TOKENS, RULES

__all__ = [
    "Compiled",
    "Decided",
    "HotField",
    "Plans",
    "compile_document",
    "encode_json",
]

log = logging.getLogger("hub.graphql")

#: What ``HotField.run`` returns: the root field's object and, per nested
#: field it answers, that field's value; or None to leave the request to the
#: executor (nothing happened yet).
Answer = tuple[Any, dict[str, Any]]
Nested = dict[str, dict[str, Any] | None]
Run = Callable[[Context, dict[str, Any], Nested], Awaitable[Answer | None]]

_BACKREF = "strawberry-definition"
#: The hub's JSON answers (UTF-8 text as is, no spaces), one encoder for all.
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


@dataclass(frozen=True)
class HotField:
    """A root query field the compiled path may answer.

    ``scopes``: the token must hold one (the field's permission class);
    ``nested``: fields of the root's type that ``run`` answers, given their
    arguments (None when the document does not ask for the field).
    """

    name: str
    scopes: frozenset[str]
    nested: frozenset[str]
    run: Run


class NotCompiled(Exception):
    """The document needs the executor."""


class Decided(Exception):
    """``run`` failed after it read (and audited): the request gets this error,
    it is not run again."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class NullLeak(Exception):
    """A non-null field came out null (the executor would null its parent)."""


class _Variables:
    """The operation's variables, coerced as the executor coerces them.

    Scalars given a value (the usual ``$uscc: USCC!``) go straight through
    their type's ``parse_value``; anything else (lists, input objects,
    enums, defaults, nulls) through graphql-core's own coercion.
    """

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode):
        self.schema = schema
        self.definitions = tuple(operation.variable_definitions or ())
        plain: list[tuple[str, GraphQLScalarType]] = []
        for definition in self.definitions:
            declared = type_from_ast(schema, definition.type)
            inner = (
                declared.of_type if isinstance(declared, GraphQLNonNull) else declared
            )
            if definition.default_value is not None or not isinstance(
                inner, GraphQLScalarType
            ):
                plain = []
                break
            plain.append((definition.variable.name.value, inner))
        self.plain: tuple[tuple[str, GraphQLScalarType], ...] | None = (
            tuple(plain) if len(plain) == len(self.definitions) else None
        )

    def coerce(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """Coerced values by name; None when they do not coerce."""
        if self.plain is not None:
            coerced: dict[str, Any] = {}
            for name, scalar in self.plain:
                value = raw.get(name)
                if value is None:
                    break  # absent or null: the general rules decide
                try:
                    parsed = scalar.parse_value(value)
                except Exception:
                    return None
                if parsed is Undefined:
                    return None
                coerced[name] = parsed
            else:
                return coerced
        found = get_variable_values(self.schema, self.definitions, dict(raw))
        if isinstance(found, list):
            return None
        return dict(found.coerced)


def _has_variable(node: Any) -> bool:
    if isinstance(node, VariableNode):
        return True
    if isinstance(node, ListValueNode):
        return any(_has_variable(v) for v in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_has_variable(f.value) for f in node.fields)
    return False


class _Arguments:
    """One field's arguments: literals coerced once, bare variables taken
    from the coerced variables (an argument's default when not given)."""

    def __init__(self, field_def: GraphQLField, node: FieldNode) -> None:
        self.field_def, self.node = field_def, node
        given = tuple(node.arguments or ())
        self.bare = tuple(
            (a.name.value, a.value.name.value)
            for a in given
            if isinstance(a.value, VariableNode)
        )
        self.out = {
            name: getattr(arg, "out_name", None) or name
            for name, arg in field_def.args.items()
        }
        self.general = any(
            _has_variable(a.value) and not isinstance(a.value, VariableNode)
            for a in given
        )
        literals = FieldNode(
            name=node.name,
            arguments=tuple(a for a in given if not _has_variable(a.value)),
            directives=(),
        )
        # Literals and the defaults of arguments not written at all, coerced
        # once (arguments given as variables are left out here).
        variable_names = {name for name, _ in self.bare}
        written = GraphQLField(
            field_def.type,
            args={n: a for n, a in field_def.args.items() if n not in variable_names},
        )
        self.fixed = {} if self.general else get_argument_values(written, literals)
        # What an argument given as a variable takes when the variable is not.
        self.defaults: dict[str, Any] = {}
        bare = FieldNode(name=node.name, arguments=(), directives=())
        for name in variable_names:
            arg = field_def.args[name]
            if isinstance(arg.type, GraphQLNonNull):
                continue
            self.defaults.update(
                get_argument_values(
                    GraphQLField(field_def.type, args={name: arg}), bare
                )
            )

    def values(self, variables: dict[str, Any]) -> dict[str, Any] | None:
        values = dict(self.fixed)
        for name, variable in self.bare:
            out = self.out[name]
            if variable in variables:
                values[out] = variables[variable]
            elif out in self.defaults:
                values[out] = self.defaults[out]
            if values.get(out) is None and isinstance(
                self.field_def.args[name].type, GraphQLNonNull
            ):
                return None  # the executor explains the missing value
        return values


@dataclass(frozen=True)
class Compiled:
    """One compiled document: what the request needs to run it."""

    operation: OperationDefinitionNode
    name: str | None
    field: HotField
    key: str
    #: Response keys of the root in order: the field's, and any __typename.
    root: tuple[str, ...]
    field_def: GraphQLField
    node: FieldNode
    nested: dict[str, tuple[GraphQLField, FieldNode]]
    emit: Callable[[Any, dict[str, Any]], Any]
    variables: _Variables
    root_arguments: _Arguments
    nested_arguments: dict[str, _Arguments]

    def arguments(
        self, raw: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any] | None]] | None:
        """Coerced arguments of the root field and the nested ones; None
        when the variables do not coerce (the executor explains)."""
        if self.root_arguments.general or any(
            a.general for a in self.nested_arguments.values()
        ):
            return self._arguments_in_general(raw)
        variables = self.variables.coerce(raw)
        if variables is None:
            return None
        root = self.root_arguments.values(variables)
        if root is None:
            return None
        nested: dict[str, dict[str, Any] | None] = dict.fromkeys(self.field.nested)
        for name, arguments in self.nested_arguments.items():
            nested[name] = arguments.values(variables)
            if nested[name] is None:
                return None
        return root, nested

    def _arguments_in_general(
        self, raw: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any] | None]] | None:
        # Variables inside list or object literals: graphql-core's coercion.
        variables = get_variable_values(
            self.variables.schema, self.variables.definitions, dict(raw)
        )
        if isinstance(variables, list):
            return None
        try:
            root = get_argument_values(self.field_def, self.node, variables)
            nested: dict[str, dict[str, Any] | None] = dict.fromkeys(self.field.nested)
            for name, (field_def, node) in self.nested.items():
                nested[name] = get_argument_values(field_def, node, variables)
        except GraphQLError:
            return None
        return root, nested

    def body(self, answer: Answer) -> bytes:
        source, values = answer
        data = {
            key: self.emit(source, values) if key == self.key else "Query"
            for key in self.root
        }
        return encode_json({"data": data}).encode()


class Plans:
    """Compiled documents by (query, operation name), bounded; a document the
    executor must run is remembered as such too."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fields: Mapping[str, HotField],
        *,
        production: bool,
        size: int = 256,
    ) -> None:
        self.schema = schema
        self.fields = dict(fields)
        self.rules = (
            *specified_rules,
            *RULES,
            *((NoSchemaIntrospectionCustomRule,) if production else ()),
        )
        self.size = size
        self._plans: OrderedDict[tuple[str, str | None], Compiled | None] = (
            OrderedDict()
        )

    def get(self, query: str, operation_name: str | None) -> Compiled | None:
        key = (query, operation_name)
        try:
            plan = self._plans[key]
        except KeyError:
            plan = compile_document(
                self.schema, self.fields, query, operation_name, self.rules
            )
            self._plans[key] = plan
            if len(self._plans) > self.size:
                self._plans.popitem(last=False)
            return plan
        self._plans.move_to_end(key)
        return plan


def compile_document(
    schema: GraphQLSchema,
    fields: Mapping[str, HotField],
    query: str,
    operation_name: str | None,
    rules: Any,
) -> Compiled | None:
    """The compiled form of ``query``, or None when the executor must run it."""
    if not any(name in query for name in fields):
        return None  # most documents: not worth parsing twice
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    if validate(schema, document, rules):
        return None
    operation = get_operation_ast(document, operation_name)
    if (
        operation is None
        or operation.operation != OperationType.QUERY
        or operation.directives
        or any(v.directives for v in operation.variable_definitions or ())
    ):
        return None
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    query_type = schema.query_type
    assert query_type is not None
    try:
        roots = _collect(query_type, [operation.selection_set], fragments)
        hot = [
            (key, nodes)
            for key, nodes in roots.items()
            if nodes[0].name.value != "__typename"
        ]
        if len(hot) != 1:
            raise NotCompiled
        [(key, nodes)] = hot
        if len(nodes) != 1 or nodes[0].name.value not in fields:
            raise NotCompiled
        [node] = nodes
        field = fields[node.name.value]
        field_def = query_type.fields[node.name.value]
        target = field_def.type
        if isinstance(target, GraphQLNonNull):
            target = target.of_type
        if not isinstance(target, GraphQLObjectType):
            raise NotCompiled
        nested: dict[str, tuple[GraphQLField, FieldNode]] = {}
        emit = _object(target, nodes, fragments, field.nested, nested)
    except NotCompiled:
        return None
    return Compiled(
        variables=_Variables(schema, operation),
        root_arguments=_Arguments(field_def, node),
        nested_arguments={n: _Arguments(d, f) for n, (d, f) in nested.items()},
        operation=operation,
        name=operation.name.value if operation.name else None,
        field=field,
        key=key,
        root=tuple(roots),
        field_def=field_def,
        node=node,
        nested=nested,
        emit=_non_null(emit) if field_def.type is not target else emit,
    )


def _collect(
    parent: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]]:
    """Fields by response key, in document order (the executor's order)."""
    found: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                found.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != parent.name:
                    raise NotCompiled
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                if (
                    fragment.directives
                    or fragment.variable_definitions
                    or fragment.type_condition.name.value != parent.name
                ):
                    raise NotCompiled
                visit(fragment.selection_set)
            else:  # pragma: no cover - the AST has no other selection
                raise NotCompiled

    for selection_set in selection_sets:
        visit(selection_set)
    return found


def _object(
    parent: GraphQLObjectType,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    answered: frozenset[str] = frozenset(),
    nested: dict[str, tuple[GraphQLField, FieldNode]] | None = None,
) -> Callable[[Any, dict[str, Any]], Any]:
    """An emitter of one object's selection: ``(source, nested values) → dict``."""
    sets = [n.selection_set for n in nodes if n.selection_set is not None]
    # (response key, attribute read, nested field answered by run, converter)
    parts: list[tuple[str, str | None, str, Callable[[Any], Any]]] = []
    for key, field_nodes in _collect(parent, sets, fragments).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            parts.append((key, None, "", _constant(parent.name)))
            continue
        field_def = parent.fields[name]
        if name in answered and nested is not None:
            if name in nested or len(field_nodes) != 1:
                raise NotCompiled  # one page per document
            nested[name] = (field_def, field_nodes[0])
            convert = _convert(field_def.type, field_nodes, fragments)
            parts.append((key, None, name, convert))
            continue
        definition = field_def.extensions.get(_BACKREF)
        if definition is None or not definition.is_basic_field or field_def.args:
            raise NotCompiled
        parts.append(
            (
                key,
                definition.python_name,
                "",
                _convert(field_def.type, field_nodes, fragments),
            )
        )
    return _emitter(parent.name, parts)


def _emitter(
    type_name: str, parts: list[tuple[str, str | None, str, Callable[[Any], Any]]]
) -> Callable[[Any, dict[str, Any]], Any]:
    """The emitter of one selection as one generated function: a dict display
    of the response keys in order, each value read and converted in place
    (a string leaf that already is a string skips its converter, as the
    converter itself would)."""
    env: dict[str, Any] = {}
    items = []
    for i, (key, attr, name, convert) in enumerate(parts):
        env[f"c{i}"] = convert
        if attr is None and not name:
            value = repr(type_name)  # __typename
        elif attr is None:
            value = f"c{i}(values[{name!r}])"
        else:
            read = (
                f"source.{attr}"
                if attr.isidentifier() and not keyword.iskeyword(attr)
                else f"getattr(source, {attr!r})"
            )
            fast = getattr(convert, "fast_str", None)
            if fast == "required":
                value = f"(v{i} if type(v{i} := {read}) is str else c{i}(v{i}))"
            elif fast == "nullable":
                value = (
                    f"(v{i} if (v{i} := {read}) is None or type(v{i}) is str "
                    f"else c{i}(v{i}))"
                )
            else:
                value = f"c{i}({read})"
        items.append(f"{key!r}: {value}")
    source = "def emit(source, values):\n    return {" + ", ".join(items) + "}\n"
    exec(compile(source, f"<emitter of {type_name}>", "exec"), env)  # noqa: S102
    emit: Callable[[Any, dict[str, Any]], Any] = env["emit"]
    return emit


def _convert(
    output: GraphQLOutputType,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Callable[[Any], Any]:
    """The value of a field of type ``output`` as JSON (null stays null)."""
    required = isinstance(output, GraphQLNonNull)
    if isinstance(output, GraphQLNonNull):
        output = output.of_type
    if isinstance(output, GraphQLEnumType):
        return _enum(output, required)
    if isinstance(output, GraphQLScalarType):
        return _scalar(output, required)
    if isinstance(output, GraphQLList):
        item = _convert(output.of_type, nodes, fragments)

        def items(v: Any) -> Any:
            return None if v is None else [item(x) for x in v]

        convert = items
    elif isinstance(output, GraphQLObjectType):
        emit = _object(output, nodes, fragments)

        def one(v: Any) -> Any:
            return None if v is None else emit(v, {})

        convert = one
    else:
        raise NotCompiled  # interfaces and unions resolve their type at run time
    return _non_null(convert) if required else convert


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _: value


def _non_null(convert: Callable[..., Any]) -> Callable[..., Any]:
    def non_null(value: Any, *rest: Any) -> Any:
        if value is None:
            raise NullLeak
        out = convert(value, *rest)
        if out is None:
            raise NullLeak
        return out

    return non_null


def _leaf(
    serialize: Callable[[Any], Any], fast: Callable[[Any], bool], required: bool
) -> Callable[[Any], Any]:
    """A leaf value: as is when ``fast`` says it already is its JSON, else
    through the type's own serializer; null refused when ``required``."""
    if required:

        def strict(value: Any) -> Any:
            if fast(value):
                return value
            if value is None:
                raise NullLeak
            out = serialize(value)
            if out is None:
                raise NullLeak
            return out

        convert = strict
    else:

        def lenient(value: Any) -> Any:
            if value is None or fast(value):
                return value
            return serialize(value)

        convert = lenient
    if fast is _is_str:
        # What the emitter may inline: a str is returned as is.
        convert.fast_str = "required" if required else "nullable"  # type: ignore[attr-defined]
    return convert


def _enum(enum: GraphQLEnumType, required: bool) -> Callable[[Any], Any]:
    # The executor's serializer walks the values per call; a table is the same answer.
    names: dict[Any, str] = {}
    wrapped = getattr(enum, "wrapped_cls", None)
    for name, value in enum.values.items():
        names.setdefault(value.value, name)
        if wrapped is not None:
            for member in wrapped:
                if member.value == value.value:
                    names.setdefault(member, name)
    serialize = enum.serialize

    def convert(value: Any) -> Any:
        try:
            return names[value]
        except (KeyError, TypeError):
            if value is None:
                if required:
                    raise NullLeak from None
                return None
            return serialize(value)

    return convert


def _never(_: Any) -> bool:
    return False


def _scalar(scalar: GraphQLScalarType, required: bool) -> Callable[[Any], Any]:
    fast: Callable[[Any], bool] = _never
    if scalar.name in ("String", "ID"):
        fast = _is_str
    elif scalar.name == "Int":
        fast = _is_int32
    elif scalar.name == "Float":
        fast = _is_finite_float
    elif scalar.name == "Boolean":
        fast = _is_bool
    return _leaf(scalar.serialize, fast, required)


def _is_str(v: Any) -> bool:
    return type(v) is str


def _is_int32(v: Any) -> bool:
    return type(v) is int and _INT_MIN <= v <= _INT_MAX


def _is_finite_float(v: Any) -> bool:
    return type(v) is float and math.isfinite(v)


def _is_bool(v: Any) -> bool:
    return type(v) is bool

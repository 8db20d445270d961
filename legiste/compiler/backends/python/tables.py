"""The tables of a generated module, shared by every part of the generator: the Python
name of each rule and parameter, and the numbered spans, quotes, types and constants the
generated code refers to by index or by name (`_SPANS[3]`, `_CITES[0]`, `_K2`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import Names, ascii_name, comment
from legiste.compiler.ir.kinds import KINDS
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.numbers import _text
from legiste.compiler.runtime.values import Duration
from legiste.dsl.span import Span

# The generated module's API: no rule, parameter or helper may take these names.
PUBLIC_NAMES = ("evaluate", "evaluate_many", "explain", "validate", "compute", "PolicyError",
                "Duration", "INPUT_SCHEMA", "OUTPUT_SCHEMA", "METADATA", "SOURCE_MAP",
                "INDEX_OVERRIDES", "set_index")


class ModuleTables:
    """What the generated module numbers or names, filled in as the code is generated."""

    def __init__(self, program: ir.Program):
        self.program = program
        self.unit = program.policy
        self.names = Names()
        self.names.used.update(PUBLIC_NAMES)
        self.spans: dict[tuple[Any, ...], int] = {}
        self.cites: dict[tuple[tuple[str, str, bool], ...], int] = {}
        self.types: dict[Type, int] = {}
        self.type_list: list[tuple[str, str]] = []    # (type name, JSON function) by index
        self.type_converters: list[str] = []          # the `_jN` functions
        self.consts: dict[tuple[str, str], str] = {}
        self.const_lines: list[str] = []
        self.counter = 0  # numbers the helpers and shared lists (`_xc3`, `_list4`)
        # The Python names of every rule, parameter and input trace (see `name_everything`).
        self.rule_fn: dict[str, str] = {}
        self.xrule_fn: dict[str, str] = {}
        self.memo_key: dict[str, str] = {}
        self.param_fn: dict[str, str] = {}
        self.resolve_fn: dict[str, str] = {}
        self.param_cache: dict[str, str] = {}
        self.input_trace_fn: dict[str, str] = {}

    def name_everything(self) -> None:
        """Name the functions of every rule and parameter, and the memo key of every rule
        (the policy's own rules by name, a used module's by `module__name`)."""
        root = self.unit.id
        for unit in self.program.units.values():
            prefix = "" if unit.id == root else ascii_name(unit.id.replace(".", "_")) + "__"
            for d in unit.definitions:
                self.memo_key[d.id] = "@" + (d.name if unit.id == root else d.id)
                self.rule_fn[d.id] = self.names.make("rule_", prefix + d.name)
                self.xrule_fn[d.id] = self.names.make("_xr_", prefix + d.name)
            for p in unit.parameters.values():
                self.param_fn[p.id] = self.names.make("param_", prefix + p.name)
                self.resolve_fn[p.id] = self.names.make("_resolve_", prefix + p.name)
                self.param_cache[p.id] = self.names.make("_cache_", prefix + p.name)
        for decl in self.unit.inputs:
            self.input_trace_fn[decl.name] = self.names.make("_xi_", decl.name)

    def new_fn(self, prefix: str) -> str:
        """A fresh helper name: `prefix` and a number."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def site(self, span: Span) -> int:
        """The index of a span in `_SPANS` (where a rule or an expression is written)."""
        key = (span.file, span.line, span.column, span.end_line, span.end_column)
        if key not in self.spans:
            self.spans[key] = len(self.spans)
        return self.spans[key]

    def cite_index(self, cites: tuple[ir.Citation, ...]) -> int:
        """The index of a tuple of quotes in `_CITES`."""
        key = tuple((c.quote, c.source, bool(c.verified)) for c in cites)
        if key not in self.cites:
            self.cites[key] = len(self.cites)
        return self.cites[key]

    def type_index(self, t: Type) -> int:
        """The index of a type in `_TYPES` (its name and JSON function, for the traces)."""
        if t not in self.types:
            self.types[t] = len(self.types)
            self.type_list.append((t.short, self.json_fn(t)))
        return self.types[t]

    def json_fn(self, t: Type) -> str:
        """The name of a function giving the JSON form of a value of type t."""
        kind = t.kind
        if kind == "list":
            name = f"_j{len(self.type_converters)}"
            self.type_converters.append("")  # reserve the name
            inner = self.json_fn(t.element)  # type: ignore[arg-type]
            body = f"def {name}(value):  # {comment(str(t))}\n    return [{inner}(v) for v in value]\n"
            self.type_converters[int(name[2:])] = body
            return name
        if kind == "record":
            name = f"_j{len(self.type_converters)}"
            self.type_converters.append("")
            parts = ", ".join(f"{n!r}: {self.json_fn(ft)}(value[{n!r}])" for n, ft in t.fields)
            body = f"def {name}(value):  # {comment(str(t))}\n    return {{{parts}}}\n"
            self.type_converters[int(name[2:])] = body
            return name
        return KINDS[kind].to_json.__name__  # a function of runtime/forms.py

    def const(self, value: Any) -> str:
        """A Python expression for a constant value (hoisted to a module global when it has
        to be built)."""
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value) if value >= 0 else f"({value!r})"
        if isinstance(value, str):
            return repr(value)
        if isinstance(value, Decimal):
            key = ("D", _text(value))
            code = f"_D({_text(value)!r})"
        elif isinstance(value, dt.date):
            key = ("date", value.isoformat())
            code = f"_dt.date({value.year}, {value.month}, {value.day})"
        elif isinstance(value, dt.timedelta):
            key = ("timedelta", str(value.days))
            code = f"_dt.timedelta(days={value.days!r})"
        elif isinstance(value, Duration):
            key = ("dur", f"{value.days},{value.months}")
            code = f"Duration({value.days!r}, {value.months!r})"
        elif isinstance(value, tuple):
            items = [self.const(v) for v in value]
            return "(" + "".join(i + ", " for i in items) + ")" if items else "()"
        elif isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {self.const(v)}" for k, v in value.items()) + "}"
        else:  # pragma: no cover - the IR holds no other constants
            raise TypeError(f"cannot emit the constant {value!r}")
        if key not in self.consts:
            name = f"_K{len(self.consts)}"
            self.consts[key] = name
            self.const_lines.append(f"{name} = {code}")
        return self.consts[key]

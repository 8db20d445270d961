"""Input validation of a generated module: `validate` and the converters it calls.

The common, valid JSON forms of a value (a date as "2024-03-15", an amount as "12.50",
a boolean, a member of an enumeration) are accepted by one test each; anything else
goes through the full conversion of the runtime (`_check_input`, `_c_*`), which gives the
interpreter's messages (compiler/interpreter/inputs.py), every problem of a case at once.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler.backends.python.refusals_emit import requirements_code
from legiste.compiler.backends.python.syntax import comment, json_literal
from legiste.compiler.backends.python.tables import ModuleTables
from legiste.compiler.interpreter.inputs import describe
from legiste.compiler.ir.kinds import KINDS, display
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.input_problems import _missing_note


class InputValidation:
    """The `validate` function of a module and its converters, one per type."""

    def __init__(self, tables: ModuleTables):
        self.tables = tables
        self.converters: dict[Type, str] = {}
        self.blocks: list[str] = []  # the converters of enumerations, lists and records

    def converter(self, t: Type) -> str:
        """The name of a function turning a JSON value into a value of type t."""
        kind = t.kind
        scalar = KINDS[kind].convert
        if scalar is not None:
            return scalar.__name__  # a converter of the runtime the module carries
        if t in self.converters:
            return self.converters[t]
        name = f"_c{len(self.converters)}"
        self.converters[t] = name
        if kind == "enum":
            members = f"_M{name[2:]}"
            block = (f"{members} = {t.members!r}\n"
                     f"{name}_SET = frozenset({members})\n\n\n"
                     f"def {name}(raw):  # {comment(str(t))}\n"
                     f"    if raw.__class__ is str and raw in {name}_SET:\n"
                     f"        return raw\n"
                     f"    return _c_enum(raw, {members})\n")
        elif kind == "list":
            item = self.converter(t.element)  # type: ignore[arg-type]
            block = (f"def {name}(raw):  # {comment(str(t))}\n"
                     f"    return _c_list(raw, {item})\n")
        elif kind == "record":
            bounds = {n: (low, high) for n, low, high in t.bounds}
            fields = tuple(n for n, _ in t.fields)
            lines = [f"_F{name[2:]} = {fields!r}", f"_F{name[2:]}_SET = frozenset(_F{name[2:]})", "", "",
                     f"def {name}(raw):  # {comment(str(t))}",
                     f"    if raw.__class__ is not dict or raw.keys() != _F{name[2:]}_SET:",
                     f"        _record_fields(raw, {t.name!r}, _F{name[2:]})  # unknown or missing fields",
                     "    out = {}"]
            for fname, ftype in t.fields:
                lines.append(f"    field = raw[{fname!r}]")
                fast = self.fast_value(ftype, "field")
                indent = "    "
                if fast is not None:
                    lines.append(f"    if {fast[0]}:  # valid as given")
                    lines.append("        pass" if fast[1] == "value" else f"        value = {fast[1]}")
                    lines.append("    else:")
                    indent = "        "
                lines.append(f"{indent}try:")
                lines.append(f"{indent}    value = {self.converter(ftype)}(field)")
                lines.append(f"{indent}except _Invalid as exc:")
                lines.append(f"{indent}    raise _field_problem(exc, {fname!r}) from None")
                low, high = bounds.get(fname, (None, None))
                show = self.display_fn(ftype)
                for limit, test in ((low, "<"), (high, ">")):
                    if limit is None:
                        continue
                    shown = display(limit, ftype)
                    lines.append(f"    if value {test} {self.tables.const(limit)}:")
                    lines.append(f"        raise _field_beyond({fname!r}, {show}(value), {shown!r})")
                lines.append(f"    out[{fname!r}] = value")
            lines.append("    return out")
            block = "\n".join(lines) + "\n"
        else:  # pragma: no cover
            raise NotImplementedError(f"no input converter for {t}")
        self.blocks.append(block)
        return name

    @staticmethod
    def display_fn(t: Type) -> str:
        """The runtime function showing a value of type t in a message."""
        return KINDS[t.kind].display.__name__  # a function of runtime/forms.py

    def validate_fn(self) -> str:
        """The module's `validate(inputs)`, with the table of its inputs."""
        unit = self.tables.unit
        infos = []
        missing_notes: dict[str, str] = {}
        lines = [
            "def validate(inputs):",
            '    """Typed values of one case given as JSON-like data (amounts as strings or',
            "    numbers, dates as ISO strings); raises PolicyError listing every problem.\"\"\"",
            "    if not isinstance(inputs, dict):",
            "        raise _not_an_object()",
            "    problems = []",
            "    if not inputs.keys() <= _INPUT_SET:",
            "        _unknown_inputs(inputs, problems)",
            "    if not _REQUIRED_SET <= inputs.keys():",
            "        _missing_inputs(inputs, problems)",
            "    values = {}",
        ]
        for i, decl in enumerate(unit.inputs):
            name, t = decl.name, decl.type
            expected = describe(t)
            note = f"declared at {decl.span}"
            missing_notes[name] = _missing_note(name, expected, decl.description, decl.span)
            low, high = decl.minimum, decl.maximum
            show = self.display_fn(t)
            info = f"_IN{i}"
            infos.append(
                f"{info} = ({name!r}, {self.converter(t)}, {expected!r}, {note!r}, "
                f"{self.tables.const(low)}, {self.tables.const(high)}, {show}, "
                f"{None if low is None else display(low, t)!r}, "
                f"{None if high is None else display(high, t)!r})")
            lines.append(f"    # {comment(name)} : {comment(str(t))}"
                         + (f" — {comment(repr(decl.description))}" if decl.description else ""))
            lines.append(f"    raw = inputs.get({name!r}, _MISSING)")
            fast = self.fast_input(t, low, high)
            if fast is None:
                lines.append(f"    _check_input(raw, {info}, values, problems)")
                continue
            lines.append(f"    if {fast[0]}:  # valid as given")
            lines.append(f"        values[{name!r}] = {fast[1]}")
            lines.append("    else:  # missing, to convert, or invalid: every problem reported")
            lines.append(f"        _check_input(raw, {info}, values, problems)")
        requirements = requirements_code(self.tables)  # `require`: refusals_emit.py
        if requirements:
            lines.append("    _requirements(inputs, values, problems)")
        lines.append("    if problems:")
        lines.append("        raise PolicyError(problems)")
        lines.append("    return values")
        head = ("# The inputs, and the note of each when it is missing.\n"
                f"_INPUT_NAMES = {json_literal(missing_notes)}\n"
                f"_INPUT_SET = frozenset(_INPUT_NAMES)\n"
                "# The inputs every case gives (neither presumed nor optional).\n"
                f"_REQUIRED_SET = frozenset({sorted(d.name for d in unit.inputs if d.required)!r})\n"
                "# Each input: (name, converter, what is expected, where it is declared, minimum,\n"
                "# maximum, how a value is shown, the bounds shown).\n"
                + "\n".join(infos) + "\n\n\n")
        return head + "\n".join(lines) + "\n" + ("\n\n" + requirements if requirements else "")

    def fast_value(self, t: Type, raw: str) -> tuple[str, str] | None:
        """(test, value): a test that a raw JSON value (the variable `raw`) is valid as given,
        for the common forms, and the typed value then; else the full conversion decides."""
        kind = t.kind
        if kind == "boolean":
            return f"{raw} is True or {raw} is False", raw
        if kind in ("integer", "year"):
            lo, hi = (-(10 ** 18) + 1, 10 ** 18 - 1) if kind == "integer" else (1000, 9999)
            return f"{raw}.__class__ is int and {self.tables.const(lo)} <= {raw} <= {self.tables.const(hi)}", raw
        if kind == "enum":
            return f"{raw}.__class__ is str and {raw} in {self.converter(t)}_SET", raw
        if kind == "text":
            return f"{raw}.__class__ is str", raw
        text_fn = {"money": "_money_text", "date": "_date_text", "decimal": "_decimal_text",
                   "rate": "_decimal_text"}.get(kind)
        if text_fn:
            return f"{raw}.__class__ is str and (value := {text_fn}({raw})) is not None", "value"
        return None

    def fast_input(self, t: Type, low: Any, high: Any) -> tuple[str, str] | None:
        """`fast_value` of the variable `raw`, with the input's bounds in the test."""
        fast = self.fast_value(t, "raw")
        if fast is None:
            return None
        test, value = fast
        if low is not None:
            test += f" and {self.tables.const(low)} <= {value}"
        if high is not None:
            test += f" and {value} <= {self.tables.const(high)}"
        return test, value

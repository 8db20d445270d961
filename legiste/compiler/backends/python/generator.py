"""Python backend, module assembly; consumes a checked `ir.Program`.

The generated module, assembled: the runtime (runtime.py, copied as it is), the
policy's tables, one function per parameter and per rule, input validation
(validation.py), the API (`evaluate`, `evaluate_many`, `explain`, `validate`,
`compute`), the explanation (explanation.py) and the descriptions (schemas, metadata,
source map).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.backends.python.explanation import ExplanationCompiler
from legiste.compiler.backends.python.entry_points import EntryPoints
from legiste.compiler.backends.python.syntax import comment, json_literal
from legiste.compiler.backends.python.validation import InputValidation
from legiste.compiler.interpreter.explain import TRACE_VERSION
from legiste.compiler.ir.passes.lowering import lower
from legiste.compiler.runtime.values import to_json

GENERATOR_VERSION = "1"

# The line of runtime.py from which nothing is copied (the stand-ins of the tables).
_STAND_INS = "# ---------------------------------------------------------------- stand-ins\n"
_CONVERSIONS = "# ---------------------------------------------------------------- conversions\n"
_INTERPRETER_ONLY = "# ---------------------------------------------------------------- interpreter only\n"
_END_OF_INTERPRETER_ONLY = "# ---------------------------------------------------------------- end of interpreter only\n"
_END_OF_CONVERSIONS = "# ---------------------------------------------------------------- end of conversions\n"


# The modules of compiler/runtime/ a generated module carries, in the order they use one another.
RUNTIME_MODULES = ("conversions", "input_problems", "errors", "numbers", "durations", "forms",
                   "parameters", "functions", "exact", "traces")


@functools.cache
def runtime_source() -> str:
    """The text of runtime.py copied into every generated module: the file as it is,
    without its docstring (the generated module has its own) and its stand-ins, with the
    text of the runtime package (RUNTIME_MODULES, without their docstrings and their
    imports of one another) in place of the block that imports them."""
    body = _without_docstring(resources.files("legiste.compiler.backends.python").joinpath("runtime.py"))
    head, marker, _ = body.partition(_STAND_INS)
    assert marker, "runtime.py has lost its stand-ins marker"
    before, start, rest = head.partition(_CONVERSIONS)
    _, end, after = rest.partition(_END_OF_CONVERSIONS)
    assert start and end, "runtime.py has lost its conversions block"
    package = resources.files("legiste.compiler.runtime")
    seen = {line for line in before.splitlines(keepends=True) if line.startswith("import ")}
    texts = [_without_docstring(package.joinpath(f"{name}.py")) for name in RUNTIME_MODULES]
    runtime = "\n\n".join(_copied(text, seen) for text in texts)
    return before + start + runtime + end + after


def _copied(text: str, seen: set[str]) -> str:
    """A runtime module as a generated module holds it: without its imports of the package,
    its interpreter-only block, and an import already made (each name is bound once)."""
    head, marker, rest = text.partition(_INTERPRETER_ONLY)
    if marker:
        text = head + rest.partition(_END_OF_INTERPRETER_ONLY)[2]
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("from legiste.") or (line.startswith("import ") and line in seen):
            continue
        if line.startswith("import "):
            seen.add(line)
        lines.append(line)
    return "".join(lines)


def _without_docstring(file: Any) -> str:
    text = file.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{file} starts with its docstring"
    return text[text.index("\n", text.index('"""', 3)) + 1:]  # after the docstring's last line


class ModuleGenerator(EntryPoints):
    """The source of the standalone module of one program (a policy and its modules).

    Assembles the parts: rule and parameter functions (rules.py), entry points
    (entry_points.py), validation, explanation and the descriptions written here.
    """

    def __init__(self, program: ir.Program):
        super().__init__(program)
        self.explanation = ExplanationCompiler(self)
        self.validation = InputValidation(self)
        self.param_caches: list[str] = []

    # ------------------------------------------------------------ the module

    def module(self) -> str:
        """The source of the module."""
        unit, program = self.unit, self.program
        self.name_everything()
        counts = self.facts.reference_counts()
        self.inlined = self.facts.inlined(counts)
        self.memo = {d for d in self.definitions if counts.get(d, 0) > 1 and d not in self.inlined}
        self.eager = set(self.facts.eager(self.memo))
        self.stored = self.facts.stored(self.memo, self.eager)
        rules = [self.definition(d, d.id in self.memo)
                 for u in program.units.values() for d in u.definitions]
        params = [self.parameter(p) for u in program.units.values() for p in u.parameters.values()]
        xdefs = [self.explanation.xdefinition(d) for u in program.units.values() for d in u.definitions]
        xinputs = [self.explanation.xinput(decl) for decl in unit.inputs]
        validate = self.validation.validate_fn()
        for d in unit.outputs:
            self.type_index(d.type)
        api = self.api()

        series_rows = []
        for u in program.units.values():
            for s in u.series.values():
                values = "{" + ", ".join(f"{k!r}: {self.const(v)}" for k, v in s.values.items()) + "}"
                series_rows.append(f"    {s.id!r}: ({s.name!r}, {values}, {s.file!r}, {s.publisher!r}),")
        spans = "\n".join(f"    {key!r},  # {i}" for key, i in self.spans.items())
        cites = "\n".join(f"    {key!r}," for key in self.cites)
        types = "\n".join(f"    ({short!r}, {fn})," for short, fn in self.type_list)

        parts = [
            "# Generated by Legiste from a policy file: do not edit, recompile the policy.\n"
            "# A standalone module: it imports the Python standard library only.\n",
            '"""A policy compiled to Python by Légiste (METADATA says which).\n\n'
            "    evaluate(inputs, as_of=None) -> {policy, as_of, outputs}\n"
            "    evaluate_many(rows, as_of=None) -> [result, ...]\n"
            "    explain(inputs, as_of=None) -> {policy, as_of, outputs, explanation (trace.v1)}\n"
            "    validate(inputs) -> typed values;  compute(values, as_of=None) -> raw outputs\n"
            "    INPUT_SCHEMA, OUTPUT_SCHEMA, METADATA, SOURCE_MAP\n\n"
            "Errors raise PolicyError (code, message, location in the rule file).\n"
            '"""\n',
            f"# Policy: {comment(unit.id)}"
            + (f" — {comment(repr(unit.title))}" if unit.title else "") + "\n"
            + (f"# Authority: {comment(repr(unit.authority))}\n" if unit.authority else "")
            + f"# Rule file: {comment(unit.file)}\n",
            runtime_source(),
            "\n# ================================================================ the policy\n",
            f"_POLICY_ID = {unit.id!r}\n",
            "# Where each rule is written (file, line, column, end line, end column).\n"
            f"_SPANS = [\n{spans}\n]\n",
            "# The quotes of the law attached to rules: (quote, source, verified).\n"
            f"_CITES = [\n{cites}\n]\n",
            "\n\n".join(self.type_converters),
            "# Types of the traced values: (name, JSON form).\n_TYPES = [\n" + types + "\n]\n",
            "# Constants of the rules.\n" + "\n".join(self.const_lines) + "\n",
            "# Index series: id -> (name, values by period, file, publisher).\n"
            "_SERIES = {\n" + "\n".join(series_rows) + "\n}\n",
            "\n# ---------------------------------------------------------------- parameters\n",
            "\n\n".join(params),
            f"_PARAMETER_CACHES = [{', '.join(self.param_caches)}]\n",
            "\n# ---------------------------------------------------------------- rules\n"
            "# One function per `define` and `output`, of `v` (the validated input values) and `m`\n"
            "# (the evaluation: its date '@as of' and the rules read more than once, memoised as\n"
            "# '@name' and read as `m['@name'] if '@name' in m else rule_name(v, m)`, or, for a\n"
            "# small one that cannot fail, `… else m.setdefault('@name', EXPRESSION)`; rules of the\n"
            "# inputs that cannot fail are computed as a case starts, and read as `m['@name']`).\n"
            "# A small rule that cannot fail is read in place (its expression inlined). Arithmetic\n"
            "# failures become PolicyError located at the rule; E4xx errors at the expression that\n"
            "# failed.\n",
            "\n\n".join(rules),
            "\n# ---------------------------------------------------------------- inputs\n",
            "\n\n".join(self.validation.blocks),
            validate,
            api,
            "\n# ================================================================ explanation\n",
            "\n\n".join(xinputs),
            "\n\n".join(self.explanation.blocks),
            "\n\n".join(xdefs),
            "\n# ================================================================ descriptions\n",
            f"INPUT_SCHEMA = {json_literal(input_schema(unit))}\n",
            f"OUTPUT_SCHEMA = {json_literal(output_schema(unit))}\n",
            f"METADATA = {json_literal(self.metadata())}\n",
            "# Where each rule and parameter is written, and the law it quotes.\n"
            f"SOURCE_MAP = {json_literal(self.source_map())}\n",
            "__all__ = ['evaluate', 'evaluate_many', 'explain', 'validate', 'compute', 'PolicyError',\n"
            "           'Duration', 'INPUT_SCHEMA', 'OUTPUT_SCHEMA', 'METADATA', 'SOURCE_MAP',\n"
            "           'INDEX_OVERRIDES', 'set_index']\n",
        ]
        return "\n\n".join(p.rstrip("\n") + "\n" for p in parts if p.strip())


    def metadata(self) -> dict[str, Any]:
        """METADATA: the policy, its sources, inputs and outputs."""
        unit = self.unit
        return {
            "id": unit.id, "title": unit.title, "authority": unit.authority, "url": unit.url,
            "as_of": unit.as_of, "file": unit.file, "trace_version": TRACE_VERSION,
            "generator": f"legiste python {GENERATOR_VERSION}",
            "sources": [{"name": s.name, "file": s.file, "url": s.url} for s in unit.sources],
            "inputs": [{"name": d.name, "type": d.type.short, "kind": d.type.kind,
                        "description": d.description,
                        "minimum": None if d.minimum is None else to_json(d.minimum, d.type),
                        "maximum": None if d.maximum is None else to_json(d.maximum, d.type),
                        "location": d.span.to_json()} for d in unit.inputs],
            "outputs": [{"name": d.name, "type": d.type.short, "kind": d.type.kind,
                         "notes": list(d.notes), "location": d.span.to_json()} for d in unit.outputs],
        }

    def source_map(self) -> dict[str, Any]:
        """SOURCE_MAP: for each rule and parameter, its function, where it is written and
        the law it quotes."""
        source_map: dict[str, Any] = {}
        for u in self.program.units.values():
            for d in u.definitions:
                source_map[d.id] = {
                    "name": d.name, "kind": d.kind, "type": d.type.short, "function": self.rule_fn[d.id],
                    **d.span.to_json(),
                    "quotes": [{"quote": c.quote, "source": c.source, "verified": c.verified}
                               for c in d.cites]}
            for p in u.parameters.values():
                source_map[p.id] = {
                    "name": p.name, "kind": "parameter", "type": p.type.short,
                    "function": self.param_fn[p.id], **p.span.to_json(),
                    "quotes": [{"quote": c.quote, "source": c.source, "verified": c.verified}
                               for c in p.cites + tuple(c for v in p.values for c in v.cites)]}
        return source_map


def generate(program: ir.Program) -> str:
    """The Python source of a standalone module that evaluates and explains the policy."""
    return ModuleGenerator(lower(program)).module()

"""The generated module, assembled: the runtime (runtime.py, copied as it is), the
policy's tables, one function per parameter and per rule, input validation
(validation.py), the API (`evaluate`, `evaluate_many`, `explain`, `validate`,
`compute`), the explanation (explanation.py) and the descriptions (schemas, metadata,
source map).
"""

from __future__ import annotations

import functools
import textwrap
from decimal import Decimal
from importlib import resources
from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.backends.python.explanation import ExplanationCompiler
from legiste.compiler.backends.python.expressions import ExpressionCompiler
from legiste.compiler.backends.python.syntax import (P_AND, P_ATOM, P_IF, P_OR, P_POSTFIX, comment,
                                             json_literal, wrap)
from legiste.compiler.backends.python.validation import InputValidation
from legiste.compiler.interpreter.explain import TRACE_VERSION
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.values import to_json

GENERATOR_VERSION = "1"

# The line of runtime.py from which nothing is copied (the stand-ins of the tables).
_STAND_INS = "# ---------------------------------------------------------------- stand-ins\n"
_CONVERSIONS = "# ---------------------------------------------------------------- conversions\n"
_END_OF_CONVERSIONS = "# ---------------------------------------------------------------- end of conversions\n"


@functools.cache
def runtime_source() -> str:
    """The text of runtime.py copied into every generated module: the file as it is,
    without its docstring (the generated module has its own) and its stand-ins, with the
    text of compiler/runtime/conversions.py in place of the block that imports it."""
    body = _without_docstring(resources.files("legiste.compiler.backends.python").joinpath("runtime.py"))
    head, marker, _ = body.partition(_STAND_INS)
    assert marker, "runtime.py has lost its stand-ins marker"
    before, start, rest = head.partition(_CONVERSIONS)
    _, end, after = rest.partition(_END_OF_CONVERSIONS)
    assert start and end, "runtime.py has lost its conversions block"
    conversions = _without_docstring(resources.files("legiste.compiler.runtime").joinpath("conversions.py"))
    return before + start + conversions + end + after


def _without_docstring(file: Any) -> str:
    text = file.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{file} starts with its docstring"
    return text[text.index("\n", text.index('"""', 3)) + 1:]  # after the docstring's last line


class ModuleGenerator(ExpressionCompiler):
    """The source of the standalone module of one program (a policy and its modules)."""

    def __init__(self, program: ir.Program):
        super().__init__(program)
        self.explanation = ExplanationCompiler(self)
        self.validation = InputValidation(self)
        self.param_caches: list[str] = []

    # ------------------------------------------------------------ rules and parameters

    def header_comment(self, d: ir.Definition) -> list[str]:
        """The comment above a rule's function: what it is, where, the law it quotes."""
        lines = [f"# {d.kind} {comment(d.name)} : {comment(d.type.short)}    ({comment(str(d.span))})"]
        for c in d.cites:
            lines.append(f"# § {comment(repr(c.quote))}  [{comment(c.source)}]")
        for note in d.notes:
            lines.append(f"# note: {comment(note)}")
        return lines

    def definition(self, d: ir.Definition, memo: bool) -> str:
        """The function of a rule, `rule_NAME(v, m)`: its value, stored in `m` if memoised."""
        fn, key, site = self.rule_fn[d.id], repr(self.memo_key[d.id]), self.site(d.span)
        lines = self.header_comment(d)
        if d.id in self.inlined:
            lines.append("# (read in place where other rules use it: a small rule that cannot fail)")
        lines.append(f"def {fn}(v, m):")
        rounds = d.kind == "output" and d.type.kind == "money"
        counter = self.counter
        body = self.assignment(d, rounds)
        self.counter = counter  # the same names in both forms, so that they compare equal
        self.fast = True
        try:
            fast = self.assignment(d, rounds)
        finally:
            self.fast = False
        lines.append("    try:")
        if rounds:
            lines.append("        # an output amount: half up to the cent (in each branch)")
        if fast != body:
            # Roundings of computed amounts as one quantize; if one fails (more digits than
            # the context holds), the same expression again with the exact 60-digit rounding.
            lines.append("        try:")
            lines.append(textwrap.indent(fast, "    "))
            lines.append("        except (ArithmeticError, AttributeError):  # the exact path")
            lines.append(textwrap.indent(body, "    "))
        else:
            lines.append(body)
        if d.type.kind in ("decimal", "rate"):
            lines.append("        if isinstance(value, int):  # a whole number where a decimal is declared")
            lines.append("            value = _D(value)")
        lines.append("    except ArithmeticError as exc:")
        lines.append(f"        raise _arith_error(exc, {site}, {d.name!r}) from None")
        if memo:
            lines.append(f"    m[{key}] = value  # memoised: other rules read m[{key}]")
        lines.append("    return value")
        return "\n".join(lines) + "\n"

    def assignment(self, d: ir.Definition, rounds: bool) -> str:
        """The statements that set `value` to a rule's value, indented for a function's
        `try:` block: `value = EXPRESSION`, or, for a rule that counts the elements of a
        list meeting a test, a loop (no list built, no comprehension called)."""
        node = self.facts.in_place(d.expr)
        if isinstance(node, ir.Aggregate) and node.kind == "count" and node.over is not None:
            over = self.facts.in_place(node.over)
            if isinstance(over, ir.Comprehension) and d.type.kind == "integer":
                return self.count_loop(over)
        return f"        value = {self.top_expr(d.expr, '            ', rounds)}"

    def count_loop(self, node: ir.Comprehension) -> str:
        """`count of [BODY for each VAR in SOURCE where WHERE]` as a loop: the same tests,
        in the same order, on the same elements."""
        var = self.comprehension_var(node)
        inner = {node.var: var}
        tests = [t for t in (node.where, node.body) if t is not None]
        test = " and ".join(self.code(t, inner, P_AND + 1 if len(tests) > 1 else 0) for t in tests)
        return (f"        value = 0\n"
                f"        for {var} in {self.code(node.source, {}, P_OR)}:\n"
                f"            if {test}:\n"
                f"                value += 1")

    def rounded(self, node: Any) -> tuple[str, int]:
        """`money(node)`: an output amount rounded half up to the cent, the rounding done in
        each branch of an `if` or `first of` (a constant is rounded here)."""
        if isinstance(node, ir.Const) and isinstance(node.value, Decimal):
            return self.const(node.value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")), P_ATOM
        if isinstance(node, ir.If):
            return self.if_code(node, {}, self.rounded)
        if isinstance(node, ir.FirstOf) and node.branches:
            return " ".join(self.first_of(node, {}, self.rounded)), P_IF
        return f"{self.code(node, {}, P_POSTFIX)}.quantize(_CENT, _HALF_UP)", P_POSTFIX

    def top_expr(self, node: Any, indent: str, rounds: bool = False) -> str:
        """The expression of a definition, laid out line by line where the law is."""
        if isinstance(node, ir.Aggregate) and node.over is None and node.kind in ("all", "any") \
                and len(node.items) > 1:
            op, prec = ("and", P_AND) if node.kind == "all" else ("or", P_OR)
            texts = self.chain(node.items, {}, prec)
            lines = []
            for i, (item, text) in enumerate(zip(node.items, texts)):
                quote = f"  # § {comment(repr(item.cites[0].quote))}" if item.cites else ""
                lines.append(f"{indent}{'' if i == 0 else op + ' '}{text}{quote}")
            return "(\n" + "\n".join(lines) + "\n" + indent[:-4] + ")"
        if isinstance(node, ir.FirstOf) and node.branches:
            branch = self.rounded if rounds else (lambda n: self.expr(n, {}))
            lines = self.first_of(node, {}, branch, comments=True)
            return "(\n" + "\n".join(indent + line for line in lines) + "\n" + indent[:-4] + ")"
        if rounds:
            return self.rounded(node)[0]
        return self.code(node, {}, 0)

    def parameter(self, p: ir.Parameter) -> str:
        """The functions of a parameter: `_resolve_NAME(when, site)` (the value on a date,
        which dated value it is, how it was indexed) and `param_NAME(when, site)` (the
        value, cached per date)."""
        fn, resolve = self.param_fn[p.id], self.resolve_fn[p.id]
        cache = self.param_cache[p.id]
        self.param_caches.append(cache)
        lines = [f"# parameter {comment(p.name)} : {comment(p.type.short)}    ({comment(str(p.span))})"]
        if p.description:
            lines.append(f"# {comment(repr(p.description))}")
        for c in p.cites:
            lines.append(f"# § {comment(repr(c.quote))}")
        lines.append(f"def {resolve}(when, site):")
        lines.append("    # (value, which dated value, how it was indexed) on `when`")
        first = p.values[0].start if p.values else None
        for k in reversed(range(len(p.values))):
            dated = p.values[k]
            keyword_ = "if" if k == len(p.values) - 1 else "elif"
            span = f"until {dated.end}" if dated.end else "onwards"
            lines.append(f"    {keyword_} when >= {self.const(dated.start)}:  # from {dated.start} {span}")
            if dated.end is not None:
                reason = f"its value from {dated.start} ended on {dated.end}"
                lines.append(f"        if when > {self.const(dated.end)}:")
                lines.append(f"            raise _no_value({p.name!r}, {str(p.span)!r}, when, "
                             f"{reason!r}, site)")
            if dated.index is None:
                lines.append(f"        return {self.const(dated.value)}, {k}, None")
                continue
            series = self.program.series(dated.index)
            period_fn = "_period_yearly" if series.period == "yearly" else "_period_monthly"
            base_period = (str(dated.start.year) if series.period == "yearly"
                           else f"{dated.start.year}-{dated.start.month:02d}")
            lines.append(f"        base = _index({series.id!r}, {base_period!r}, site)")
            lines.append(f"        period = {period_fn}(when)")
            lines.append(f"        index = _index({series.id!r}, period, site)")
            value = f"{self.const(dated.value)} * index / base"
            if p.type.kind == "money":
                value = f"_money({value})"
            lines.append(f"        value = {value}")
            how_head = f"{dated.value} × {series.name}["
            how_tail = f" / {series.name}[{base_period}] "
            lines.append(f"        return value, {k}, ({how_head!r} + period + '] ' + str(index) + "
                         f"{how_tail!r} + str(base))")
        if first is not None:
            reason = f"its first value applies from {first}"
            lines.append(f"    raise _no_value({p.name!r}, {str(p.span)!r}, when, {reason!r}, site)")
        else:  # pragma: no cover - the checker requires a dated value
            lines.append("    raise AssertionError('no dated value')")
        lines.append("")
        lines.append(f"{cache} = {{}}")
        lines.append("")
        lines.append("")
        lines.append(f"def {fn}(when, site):")
        lines.append(f"    value = {cache}.get(when)")
        lines.append("    if value is None:")
        lines.append(f"        value = {resolve}(when, site)[0]")
        lines.append(f"        if len({cache}) > 100_000:")
        lines.append(f"            {cache}.clear()")
        lines.append(f"        {cache}[when] = value")
        lines.append("    return value")
        return "\n".join(lines) + "\n"

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

    def computed_in_api(self, d: ir.Definition) -> bool:
        """Whether the API computes an output in place rather than calling its function: an
        output no rule reads (so not memoised), of a value needing no conversion after it
        is computed (a decimal that may be a whole number does)."""
        return d.kind == "output" and d.id not in self.memo and (
            d.type.kind not in ("decimal", "rate") or self.facts.is_decimal(d.expr))

    def output_code(self, d: ir.Definition, fast: bool) -> str:
        """The expression of an output computed in place: rounded to the cent if an amount;
        `fast` as in `definition`."""
        self.fast = fast
        try:
            if d.type.kind == "money":
                return wrap(self.rounded(d.expr), 1)
            return self.code(d.expr, {}, 1)
        finally:
            self.fast = False

    def output_codes(self) -> tuple[list[str], bool]:
        """The code of each output in the API's fast path, read in order, and whether that
        path may fail where the rules' functions would not (an ArithmeticError or an
        AttributeError of a fast form, see `definition`): the API then computes the case
        again with the rules' functions (`_run`). An output no rule reads is its fast
        expression, in place; a memoised one that no output before it can have computed is
        computed in place and stored when it may be (RuleFacts.storable), else called; one
        that an output before may have computed is read as any rule is (`read`)."""
        codes: list[str] = []
        may_fail = False
        before: set[str] = set()  # the rules the outputs before may have computed
        for d in self.unit.outputs:
            if self.computed_in_api(d):
                counter = self.counter
                exact = self.output_code(d, fast=False)
                self.counter = counter  # the same names in both forms, so that they compare equal
                code = self.output_code(d, fast=True)
                may_fail = may_fail or code != exact or d.type.kind == "money" or (
                    not self.facts.cannot_fail(d.expr))
            elif d.id in self.memo and d.id not in before and d.id not in self.eager:
                # surely not computed yet: computed in place (stored), or its function called
                code = self.store(d.id, {}) if self.facts.storable(d) else f"{self.rule_fn[d.id]}(v, m)"
            else:
                code = self.read(d.id)[0]
            codes.append(code)
            before |= self.facts.reads(d.id) | {d.id}
            if d.id in self.memo:
                self.known.add(d.id)
        self.known = set()
        return codes, may_fail

    def api(self) -> str:
        """The module's API: `compute`, `evaluate`, `evaluate_many`, `explain` (`validate`
        is written by validation.py)."""
        unit, outputs = self.unit, self.unit.outputs
        if unit.as_of is not None:
            as_of_code = f"as_of if as_of is not None else v[{unit.as_of!r}]"
            as_of_doc = f"the date: `as_of`, else the input {unit.as_of!r}"
        else:
            as_of_code = "as_of if as_of is not None else _dt.date.today()"
            as_of_doc = "the date: `as_of`, else today"

        def to_json(t: Type, code: str) -> str:
            fn = self.json_fn(t)
            return code if fn == "_j_same" else f"{fn}({code})"

        def items(pairs: list[tuple[str, str]], indent: str) -> str:
            return "{\n" + "".join(f"{indent}    {k!r}: {v},\n" for k, v in pairs) + indent + "}"

        codes, may_fail = self.output_codes()
        exact_items = ", ".join(f"{d.name!r}: {self.read(d.id)[0]}" for d in outputs)
        run_items = [(d.name, code) for d, code in zip(outputs, codes)]
        json_items = [(d.name, to_json(d.type, code)) for d, code in zip(outputs, codes)]
        out_json_items = ", ".join(f"{d.name!r}: {to_json(d.type, f'outputs[{d.name!r}]')}"
                                   for d in outputs)
        explain_items = ", ".join(f"{self.xrule_fn[d.id]}(v, m, done)" for d in outputs)
        # The eager rules (see RuleFacts.eager), computed as a case starts.
        eager = [(self.memo_key[i], self.code(self.definitions[i].expr, {}, 1))
                 for i in self.definitions if i in self.eager]
        eager_names = ", ".join(comment(self.definitions[i].name) for i in self.definitions if i in self.eager)
        start = "".join(f"\n    m[{k!r}] = {code}" for k, code in eager)
        compute_m = "{" + ", ".join([f"'@as of': {as_of_code}"] + [f"{k!r}: {c}" for k, c in eager]) + "}"
        fallback = "except (ArithmeticError, AttributeError):  # a fast form failed: the rules' functions"
        if may_fail:
            compute_body = (f"    try:\n        return {items(run_items, '        ')}\n"
                            f"    {fallback}\n        return _run(v, m)")
            evaluate_body = (f"    try:\n        outputs = {items(json_items, '        ')}\n"
                             f"    {fallback}\n        outputs = _json_outputs(_run(v, m))")
        else:
            compute_body = f"    return {items(run_items, '    ')}"
            evaluate_body = f"    outputs = {items(json_items, '    ')}"
        many_body = textwrap.indent(evaluate_body, "        ")
        return f'''
# ================================================================ the API

# The evaluation date: {comment(as_of_doc)}.{"" if not eager else f"""
# Computed as a case starts (rules of the inputs that cannot fail): {eager_names}."""}
# The outputs no rule reads are computed in place by `compute`, `evaluate` and
# `evaluate_many`, in their fast forms{""";
# should one fail, `_run` computes the case again with the rules' functions""" if may_fail else ""}.

def _run(v, m):
    """The outputs of one case, each read as the rules read it (by its function, its
    exact form): `v` holds the validated values, `m` the date ('@as of'), the rules
    computed as a case starts, and the rules computed (memoised; `v` and `m` may be the
    same dict)."""
    return {{{exact_items}}}


def _json_outputs(outputs):
    """The JSON form of the outputs."""
    return {{{out_json_items}}}


def compute(values, as_of=None):
    """The outputs (Decimal, date, … values) of validated values (see `validate`)."""
    v = values
    m = {compute_m}
{compute_body}


def evaluate(inputs, as_of=None):
    """Validate one case and evaluate it: {{"policy", "as_of", "outputs"}} as JSON-ready data
    (amounts as strings to the cent). Raises PolicyError (inputs: E5xx; run time: E4xx)."""
    v = m = validate(inputs)  # the values dict also holds the date and the rules computed
    when = m['@as of'] = {as_of_code}{start}
{evaluate_body}
    return {{'policy': _POLICY_ID, 'as_of': when.isoformat(), 'outputs': outputs}}


def evaluate_many(rows, as_of=None):
    """`evaluate` on each case; parameters and indices are resolved once per date (cached).
    A failing case raises PolicyError with its index in `row`."""
    results = []
    append = results.append
    for row, inputs in enumerate(rows):
        try:
            v = m = validate(inputs)
            when = m['@as of'] = {as_of_code}{start.replace(chr(10), chr(10) + "        ")}
{many_body}
            append({{'policy': _POLICY_ID, 'as_of': when.isoformat(), 'outputs': outputs}})
        except PolicyError as exc:
            exc.row = row
            raise
    return results


def explain(inputs, as_of=None):
    """`evaluate`, with the explanation of every output (trace.v1, as `legiste eval
    --explain --json` gives it)."""
    v = m = validate(inputs)
    when = m['@as of'] = {as_of_code}{start}
    outputs = _run(v, m)
    done = {{}}
    traces = [{explain_items}]
    return {{'policy': _POLICY_ID, 'as_of': when.isoformat(), 'outputs': _json_outputs(outputs),
            'explanation': {{'version': {TRACE_VERSION!r}, 'outputs': [t.to_json() for t in traces]}}}}
'''

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
    return ModuleGenerator(program).module()

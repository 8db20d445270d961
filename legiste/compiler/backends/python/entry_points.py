"""Python backend: the generated module's entry points.

Consumes the outputs of the policy unit (`ir.Unit.outputs`) and the rule functions
written by rules.py, and writes `compute`, `evaluate`, `evaluate_many` and `explain`,
with the fast path that computes outputs no rule reads in place.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.python.rules import RuleFunctions
from legiste.compiler.backends.python.syntax import comment, wrap
from legiste.compiler.interpreter.explain import TRACE_VERSION
from legiste.compiler.ir.types import Type


class EntryPoints(RuleFunctions):
    """Writes the API of the generated module over the rules' functions."""

    def computed_in_api(self, d: ir.Definition) -> bool:
        """Whether the API computes an output in place rather than calling its function: an
        output no rule reads (so not memoised), of a value needing no conversion after it
        is computed (a decimal that may be a whole number does)."""
        return d.kind == "output" and d.id not in self.memo and not isinstance(d.expr, ir.ToDecimal)

    def output_code(self, d: ir.Definition, fast: bool) -> str:
        """The expression of an output computed in place: rounded to the cent if an amount;
        `fast` as in `definition`."""
        self.fast = fast
        try:
            return self.code(d.expr, {}, 1)  # an amount: lowered to ir.RoundToCent
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
                may_fail = may_fail or code != exact or isinstance(d.expr, ir.RoundToCent) or (
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
            self.learn(d.expr)  # the memoised rules it surely read are in `m` for the next
        self.known = set()
        return codes, may_fail

    def api(self) -> str:
        """The module's API: `compute`, `evaluate`, `evaluate_many`, `explain` (`validate`
        is written by validation.py)."""
        unit, outputs = self.unit, self.unit.outputs
        decl = next((i for i in unit.inputs if i.name == unit.as_of), None)
        if decl is not None:
            # One date per evaluation (runtime _case_date): `as_of` becomes the input's value.
            by_year = decl.type.kind == "year"
            def literal(bound: Any) -> str:
                return f"_dt.date({bound.year}, {bound.month}, {bound.day})" \
                    if isinstance(bound, dt.date) else repr(bound)
            read = f"_dt.date(v[{decl.name!r}], 1, 1)" if by_year else f"v[{decl.name!r}]"
            # (no `as_of`: the input's value, as _case_date gives it, without the call)
            as_of_code = (f"({read} if as_of is None else _case_date(v, {decl.name!r}, {by_year}, "
                          f"as_of, {literal(decl.minimum)}, {literal(decl.maximum)}, "
                          f"{self.site(decl.span)}))")
            as_of_doc = (f"the date: `as_of`, which the input {decl.name!r} then takes"
                         + (" (its year)" if by_year else "") + f", else the input {decl.name!r}"
                         + (" (its 1 January)" if by_year else ""))
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
    v = values if as_of is None else dict(values)  # `as_of` sets the dating input of a copy
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

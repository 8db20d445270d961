"""Properties of the compiler itself (issue 4), searched with hypothesis.

1. **Well-typed expressions never crash.** A recursive strategy writes random Légiste
   expressions that the type rules accept, over fixed typed inputs (and `first of` /
   `all of` … blocks as helper `define`s). Each becomes `output o : T = EXPR` in a small
   policy, which must compile without any diagnostic; evaluated (with its explanation,
   turned into JSON) on valid inputs, the only failure allowed is a `DiagnosticError`
   holding one located run-time diagnostic: E402 (division by zero), E404 (a value out
   of range) or E506 (an impossible date). Anything else is a bug of the compiler.
2. **The explanation's leaves determine the result** (see the test's docstring).
3. **Evaluation is deterministic**: same inputs → same outputs and same explanation JSON,
   with a fresh evaluation, with a freshly compiled policy, and whatever the key order.
4. **Printing then parsing an expression gives it back**: the printer of `dsl/printer.py`
   writes random expression ASTs with full parentheses, and with only the parentheses
   operator precedence requires; parsing the text gives the same AST (spans are not part
   of AST equality). tests/test_printer.py prints whole files.

Profiles: HYPOTHESIS_PROFILE=ci (default) or thorough (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from legiste.compiler.api import Policy
from legiste.compiler.interpreter.explain import Trace
from legiste.compiler.tools.strategies import case_strategy, harvest, strategy_for
from legiste.compiler.interpreter.requirements import breaks_requirement
from legiste.compiler.tools.verify import case_json
from legiste.dsl import ast
from legiste.dsl.limits import BIDI_CONTROLS
from legiste.dsl.diagnostics import DiagnosticError
from legiste.dsl.parser import parse_module
from legiste.dsl.printer import ExprPrinter as Printer
from legiste.dsl.span import NO_SPAN

REPO_ROOT = Path(__file__).resolve().parent.parent

# ====================================================================== generated policies

HEADER = """\
policy gen

input
  a : money, at least 0 EUR
  b : money, at least 0 EUR
  n : integer
  k : integer
  q : decimal
  r : rate
  d : date
  e : date
  yr : year
  flag : boolean
  g : boolean
  kind : one of lo, mid, hi
  label : text
  flags : list of boolean
  amounts : list of money

parameter pm : money
  from 0001-01-01: 100 EUR
"""

# Surface type names of the generated expressions' types.
TYPE_TEXT = {
    "boolean": "boolean", "integer": "integer", "decimal": "decimal", "money": "money",
    "rate": "rate", "date": "date", "year": "year", "duration": "duration", "text": "text",
    "kind": "kind", "list_bool": "list of boolean", "list_money": "list of money",
}
TYPES = list(TYPE_TEXT)
ORDERED_KINDS = ["integer", "decimal", "rate", "money", "date", "year"]
NUMERIC_KINDS = ["integer", "decimal", "rate"]

LEAVES: dict[str, list[str]] = {
    "boolean": ["flag", "g", "true", "false"],
    "integer": ["n", "k", "0", "1", "2", "7", "150", "(123456789012345678 * 1000000000000)"],  # literals stop at 10^18 (E005)
    "decimal": ["q", "0.5", "0.0", "1.5", "2.25"],
    "money": ["a", "b", "pm", "0 EUR", "0.01 EUR", "12.50 EUR", "3 €", "1000000 EUR"],
    "rate": ["r", "20 %", "0 %", "12.5 %", "100 %"],
    "date": ["d", "e", "2024-02-29", "2023-01-31", "0001-01-01", "9999-12-31"],
    "year": ["yr"],
    "duration": ["1 day", "30 days", "0 days", "1 month", "6 months", "1 year", "2 years"],
    "text": ["label", '"a"', '""'],
    "kind": ["kind", "lo", "mid", "hi", "kind.mid"],
    "list_bool": ["flags"],
    "list_money": ["amounts"],
}
ELEMENT = {"list_bool": "boolean", "list_money": "money"}
VARS = ["v", "w"]  # comprehension variables (reused on purpose: nested ones shadow)


class Gen(NamedTuple):
    """An expression's text and the helper `define`s it refers to."""

    src: str
    defs: tuple[str, ...] = ()


def join(fmt: str, *parts: Gen) -> Gen:
    defs: dict[str, None] = {}
    for p in parts:
        defs.update(dict.fromkeys(p.defs))
    return Gen(fmt.format(*(p.src for p in parts)), tuple(defs))


def helper(body: str, type_: str | None, parts: list[Gen]) -> Gen:
    """A `define` named after its own text; `body` starts after `=`."""
    name = "h_" + hashlib.sha1(body.encode()).hexdigest()[:10]
    annotation = f" : {TYPE_TEXT[type_]}" if type_ else ""
    merged = join("", *parts)
    return Gen(name, merged.defs + (f"define {name}{annotation} ={body}",))


Sub = Callable[[str], Gen]  # draws a sub-expression of a type
Builder = Callable[[Sub, Callable[[Any], Any]], Gen]


def _b(fmt: str, *types: str) -> Builder:
    return lambda x, draw: join(fmt, *(x(t) for t in types))


def _compare(x: Sub, draw: Any) -> Gen:
    left, right = draw(st.sampled_from([
        ("integer", "integer"), ("decimal", "decimal"), ("rate", "rate"), ("money", "money"),
        ("date", "date"), ("year", "year"), ("integer", "decimal"), ("rate", "integer"),
        ("decimal", "rate"), ("year", "integer"), ("integer", "year")]))
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "=", "!=", "≤", "≥", "≠"]))
    a, b = x(left), x(right)
    # A plain number beside a rate is E201 ("did you mean 7 %?"), 0 excepted: an input instead.
    if "rate" in (left, right):
        a, b = (Gen({"integer": "n", "decimal": "q"}[t]) if t != "rate" and _plain(g.src) else g
                for t, g in ((left, a), (right, b)))
    return join("({} " + op + " {})", a, b)


def _plain(src: str) -> bool:
    """A unit-less number literal other than 0 (perhaps parenthesised)."""
    return bool(re.fullmatch(r"\(?\d+(\.\d+)?\)?", src)) and not re.fullmatch(r"\(?0(\.0+)?\)?", src)


def _equal(x: Sub, draw: Any) -> Gen:
    t = draw(st.sampled_from(["boolean", "kind", "text", "duration", "money", "date"]))
    op = draw(st.sampled_from(["=", "!="]))
    return join("({} " + op + " {})", x(t), x(t))


def _between(x: Sub, draw: Any) -> Gen:
    t = draw(st.sampled_from(ORDERED_KINDS))
    bound = "integer" if t == "year" and draw(st.booleans()) else t
    return join("({} between {} and {})", x(t), x(bound), x(t))


def _if(t: str) -> Builder:
    return lambda x, draw: join("(if {} then {} else {})", x("boolean"), x(t), x(t))


def _minmax(t: str) -> Builder:
    def build(x: Sub, draw: Any) -> Gen:
        f = draw(st.sampled_from(["min", "max"]))
        args = [x(t) for _ in range(draw(st.integers(2, 3)))]
        return join(f + "(" + ", ".join("{}" for _ in args) + ")", *args)
    return build


def _inline_list(kind: str) -> Builder:
    """`all of [c1, c2]`, `count of [...]`, `at least K of [...]`."""
    def build(x: Sub, draw: Any) -> Gen:
        items = [x("boolean") for _ in range(draw(st.integers(0, 3)))]
        inner = "[" + ", ".join("{}" for _ in items) + "]"
        if kind == "at_least":
            return join("(at least {} of " + inner + ")", x("integer"), *items)
        return join(f"({kind} of " + inner + ")", *items)
    return build


def _over(kind: str) -> Builder:
    """`all of flags`, `count of [v for each v in …]`: an aggregate over a list value."""
    def build(x: Sub, draw: Any) -> Gen:
        if kind == "at_least":
            return join("(at least {} of {})", x("integer"), x("list_bool"))
        return join(f"({kind} of {{}})", x("list_bool"))
    return build


def _round(t: str) -> Builder:
    def build(x: Sub, draw: Any) -> Gen:
        f = draw(st.sampled_from(["round", "round_down", "round_up"]))
        if draw(st.booleans()):
            return join(f + "({})", x(t))
        step = draw(st.sampled_from([t, "integer", "decimal"]))
        return join(f + "({}, {})", x(t), x(step))
    return build


def _date_call(x: Sub, draw: Any) -> Gen:
    y = x(draw(st.sampled_from(["year", "integer"])))
    m, day = x("integer"), x("integer")
    # A written month or day no year has is E010 at compile time: keep them in the calendar.
    if re.fullmatch(r"\d+", m.src) and not 1 <= int(m.src) <= 12:
        m = Gen("n")
    if re.fullmatch(r"\d+", day.src) and not 1 <= int(day.src) <= (
            {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(int(m.src), 31) if m.src.isdigit() else 31):
        day = Gen("n")
    texts = [y.src, m.src, day.src]
    if all(re.fullmatch(r"\d+", s) for s in texts):
        # Constant arguments are checked at compile time (E010): keep them a real date.
        try:
            dt.date(*map(int, texts))
        except (ValueError, OverflowError):
            y = Gen("yr")
    return join("date({}, {}, {})", y, m, day)


# Helper `define`s: blocks exist only as a rule's body. Their parts are drawn at the
# top level (no comprehension variable is visible in a `define`).

def _first_of(t: str) -> Callable[[Any, int], Gen]:
    def build(draw: Any, depth: int) -> Gen:
        x = lambda u: draw(expr(u, depth, ()))  # noqa: E731
        parts: list[Gen] = []
        lines = []
        if draw(st.booleans()):  # exhaustive over the enumeration: no `otherwise`
            for member in draw(st.permutations(["lo", "mid", "hi"])):
                value = x(t)
                parts.append(value)
                lines.append(f"  {value.src} when kind = {member}")
        else:
            for _ in range(draw(st.integers(0, 2))):
                value, cond = x(t), x("boolean")
                parts += [value, cond]
                lines.append(f"  {value.src} when {cond.src}")
            value = x(t)
            parts.append(value)
            lines.append(f"  {value.src} otherwise")
        return helper(" first of\n" + "\n".join(lines), t, parts)
    return build


def _block(kind: str) -> Callable[[Any, int], Gen]:
    def build(draw: Any, depth: int) -> Gen:
        x = lambda u: draw(expr(u, depth, ()))  # noqa: E731
        parts: list[Gen] = []
        head = {"all": "all of", "any": "any of", "count": "count of"}.get(kind)
        if head is None:
            k = x("integer")
            parts.append(k)
            head = f"at least {k.src} of"
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            cond = x("boolean")
            parts.append(cond)
            lines.append(f"  {cond.src}")
            for _ in range(draw(st.integers(0, 2))):
                exception = x("boolean")
                parts.append(exception)
                lines.append(f"    unless {exception.src}")
        return helper(f" {head}\n" + "\n".join(lines), "integer" if kind == "count" else None, parts)
    return build


def _indented(t: str) -> Callable[[Any, int], Gen]:
    def build(draw: Any, depth: int) -> Gen:
        body = draw(expr(t, depth, ()))
        return helper(f"\n  {body.src}", t, [body])
    return build


BUILDERS: dict[str, list[Builder]] = {
    "boolean": [
        _b("(not {})", "boolean"), _b("({} and {})", "boolean", "boolean"),
        _b("({} or {})", "boolean", "boolean"), _b("({} implies {})", "boolean", "boolean"),
        _compare, _equal, _between, _if("boolean"),
        _inline_list("all"), _inline_list("any"), _inline_list("at_least"),
        _over("all"), _over("any"), _over("at_least"),
    ],
    "integer": [
        _b("({} + {})", "integer", "integer"), _b("({} - {})", "integer", "integer"),
        _b("({} * {})", "integer", "integer"), _b("(-{})", "integer"),
        _b("({} - {})", "year", "year"), _b("({} - {})", "date", "date"),
        _inline_list("count"), _over("count"),
        _b("size({})", "list_bool"), _b("size({})", "list_money"),
        _b("month({})", "date"), _b("day({})", "date"), _b("abs({})", "integer"),
        _minmax("integer"), _if("integer"),
    ],
    "decimal": [
        _b("({} / {})", "integer", "integer"), _b("({} / {})", "decimal", "decimal"),
        _b("({} / {})", "money", "money"), _b("({} / {})", "rate", "rate"),
        _b("({} + {})", "decimal", "decimal"), _b("({} - {})", "integer", "decimal"),
        _b("({} * {})", "decimal", "rate"), _b("({} × {})", "decimal", "integer"),
        _b("(-{})", "decimal"), _b("abs({})", "decimal"), _round("decimal"),
        _b("sum([{}, {}])", "integer", "decimal"), _b("average([{}, {}])", "decimal", "rate"),
        _minmax("decimal"), _if("decimal"),
    ],
    "rate": [
        _b("({} + {})", "rate", "rate"), _b("({} - {})", "rate", "rate"),
        _b("({} * {})", "rate", "rate"), _b("(-{})", "rate"), _round("rate"),
        _minmax("rate"), _if("rate"),
    ],
    "money": [
        _b("({} + {})", "money", "money"), _b("({} - {})", "money", "money"),
        _b("({} * {})", "money", "rate"), _b("({} * {})", "rate", "money"),
        _b("({} * {})", "money", "integer"), _b("({} × {})", "decimal", "money"),
        _b("({} / {})", "money", "integer"), _b("({} / {})", "money", "decimal"),
        _b("({} / {})", "money", "rate"), _b("(-{})", "money"), _b("abs({})", "money"),
        _round("money"), _b("sum({})", "list_money"), _b("average({})", "list_money"),
        _b("(pm at {})", "date"), _minmax("money"), _if("money"),
    ],
    "date": [
        _b("({} + {})", "date", "duration"), _b("({} + {})", "duration", "date"),
        _b("({} - {})", "date", "duration"), _date_call, _minmax("date"), _if("date"),
    ],
    "year": [
        _b("year({})", "date"), _b("({} + {})", "year", "integer"),
        _b("({} + {})", "integer", "year"), _b("({} - {})", "year", "integer"),
        _minmax("year"), _if("year"),
    ],
    "duration": [
        _b("({} + {})", "duration", "duration"), _b("({} * {})", "duration", "integer"),
        _b("({} * {})", "integer", "duration"), _if("duration"),
    ],
    "text": [_if("text")],
    "kind": [_if("kind")],
    "list_bool": [_b("[{}, {}]", "boolean", "boolean")],
    "list_money": [_b("[{}, {}, {}]", "money", "money", "money")],
}

HELPERS: dict[str, list[Callable[[Any, int], Gen]]] = {
    t: [_first_of(t), _indented(t)] for t in TYPES if t not in ("list_bool", "list_money")}
HELPERS["boolean"] += [_block("all"), _block("any"), _block("at_least")]
HELPERS["integer"] += [_block("count")]


@st.composite
def _comprehension(draw: Any, t: str, depth: int, scope: tuple[tuple[str, str], ...]) -> Gen:
    """`[BODY for each VAR in SOURCE where FILTER]` giving a list of ELEMENT[t]."""
    source_type = draw(st.sampled_from(["list_bool", "list_money"]))
    source = draw(expr(source_type, depth, scope))
    var = draw(st.sampled_from(VARS))
    inner = scope + ((var, ELEMENT[source_type]),)
    body = draw(expr(ELEMENT[t], depth, inner))
    if draw(st.booleans()):
        where = draw(expr("boolean", depth, inner))
        return join(f"[{{}} for each {var} in {{}} where {{}}]", body, source, where)
    return join(f"[{{}} for each {var} in {{}}]", body, source)


def expr(t: str, depth: int, scope: tuple[tuple[str, str], ...] = (),
         compound: bool = False) -> st.SearchStrategy[Gen]:
    """Well-typed expressions of type t, at most `depth` operators deep (`compound`: not
    a mere name or literal)."""
    return _expr(t, depth, scope, compound)


@st.composite
def _expr(draw: Any, t: str, depth: int, scope: tuple[tuple[str, str], ...],
          compound: bool = False) -> Gen:
    # A leaf first (what shrinking goes back to), else an operator over smaller parts.
    visible = {name: u for name, u in scope}  # the innermost variable of a name wins
    leaves = LEAVES[t] + [name for name, u in visible.items() if u == t]
    if depth <= 0 or not (compound or draw(st.booleans())):
        return Gen(draw(st.sampled_from(leaves)))
    choices: list[Any] = list(BUILDERS[t]) + list(HELPERS.get(t, ()))
    if t in ELEMENT:
        choices.append("comprehension")
    choice = draw(st.sampled_from(choices))
    if choice == "comprehension":
        return draw(_comprehension(t, depth - 1, scope))
    if choice in HELPERS.get(t, ()):
        return choice(draw, depth - 1)
    return choice(lambda u: draw(expr(u, depth - 1, scope)), draw)


def policy_text(outputs: list[tuple[str, Gen]]) -> str:
    """A policy with the generated outputs (name, expression) and their helpers."""
    defs: dict[str, None] = {}
    for _, gen in outputs:
        defs.update(dict.fromkeys(gen.defs))
    lines = [HEADER] + [d + "\n" for d in defs]
    lines += [f"output o{i} : {TYPE_TEXT[t]} = {gen.src}" for i, (t, gen) in enumerate(outputs)]
    return "\n".join(lines) + "\n"


class Compiled(NamedTuple):
    policy: Policy | None
    errors: tuple[str, ...]


_COMPILED: dict[str, Compiled] = {}


def compiled(text: str) -> Policy:
    """Compile generated policy text (cached by text); it must have no diagnostic at all."""
    if text not in _COMPILED:
        try:
            policy = Policy.from_string(text, name="gen.legis", base=REPO_ROOT)
            _COMPILED[text] = Compiled(policy, tuple(f"{w.code} {w.message}" for w in policy.warnings))
        except DiagnosticError as exc:
            _COMPILED[text] = Compiled(None, tuple(f"{d.code} {d.message} at {d.span}"
                                                   for d in exc.diagnostics))
    found = _COMPILED[text]
    assert found.policy is not None and not found.errors, \
        f"a well-typed policy did not compile cleanly: {found.errors}\n{text}"
    return found.policy


# -------------------------------------------------------------------- input values

BIG = 10 ** 17  # inputs are accepted up to 10^18


def _money(low: Decimal = Decimal(0)) -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("99999999999999999.99")]),
        st.decimals(min_value=low, max_value=Decimal(10 ** 6), places=2),
        st.decimals(min_value=low, max_value=Decimal(BIG), places=2))


# Values beyond what a policy's own constants suggest: the calendar's ends, huge numbers.
EXTREMES: dict[str, st.SearchStrategy[Any]] = {
    "money": _money(),
    "integer": st.one_of(st.integers(-3, 40), st.sampled_from([BIG, -BIG, 10 ** 9]),
                         st.integers(-BIG, BIG)),
    "decimal": st.one_of(st.sampled_from([Decimal(0), Decimal("1E+17"), Decimal("-0.0001")]),
                         st.decimals(min_value=-10 ** 6, max_value=10 ** 6, places=4)),
    "rate": st.one_of(st.sampled_from([Decimal(0), Decimal(1)]),
                      st.decimals(min_value=-3, max_value=3, places=4)),
    "date": st.one_of(st.sampled_from([dt.date.min, dt.date.max, dt.date(2024, 2, 29)]),
                      st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)), st.dates()),
    "year": st.one_of(st.sampled_from([1000, 2024, 9999]), st.integers(1000, 9999)),
    "text": st.sampled_from(["", "a", "b c"]),
}


def value_strategy(policy: Policy, h: Any, decl: Any) -> st.SearchStrategy[Any]:
    """An input's values: the verifier's (its bounds, the policy's constants) or extremes."""
    ours = strategy_for(decl.type, h, decl.minimum, decl.maximum, decl.name)
    kind = decl.type.kind
    extreme = EXTREMES.get(kind)
    if kind == "list" and decl.type.element.kind == "money":
        extreme = st.lists(_money(Decimal(-BIG)), max_size=4).map(tuple)
    if extreme is not None and kind == "money" and decl.minimum is not None:
        extreme = _money(decl.minimum)
    if extreme is None or decl.maximum is not None:
        return ours
    return st.one_of(ours, extreme)


_CASES: dict[int, st.SearchStrategy[dict[str, Any]]] = {}


def cases(policy: Policy) -> st.SearchStrategy[dict[str, Any]]:
    if id(policy) not in _CASES:
        h = harvest(policy.program)
        _CASES[id(policy)] = st.fixed_dictionaries(
            {i.name: value_strategy(policy, h, i) for i in policy.unit.inputs})
    return _CASES[id(policy)]


def validated(policy: Policy, case: dict[str, Any]) -> dict[str, Any]:
    """The case as a caller gives it (JSON), read back by the policy's validation."""
    data = json.loads(json.dumps(case_json(policy, case)))
    try:
        return policy.validate(data)
    except DiagnosticError as exc:
        raise AssertionError(f"valid inputs {data} were refused: "
                             f"{[f'{d.code} {d.message}' for d in exc.diagnostics]}") from None


RUNTIME_CODES = {"E402", "E404", "E506"}  # division by zero, out of range, impossible date


def evaluate(policy: Policy, values: dict[str, Any], on: dt.date | None) -> dict[str, Any] | None:
    """Outputs and explanation JSON, or None for an expected, located run-time diagnostic."""
    try:
        result = policy.run(values, on=on, explain_it=True)
        return result.to_json()
    except DiagnosticError as exc:
        assert len(exc.diagnostics) == 1, [d.message for d in exc.diagnostics]
        diag = exc.diagnostics[0]
        assert diag.code in RUNTIME_CODES, f"unexpected {diag.code}: {diag.message}"
        assert diag.span is not NO_SPAN and diag.span.file == policy.unit.file, \
            f"{diag.code} is not located in the policy: {diag.span}"
        return None


# ====================================================================== 1. no crash

EVAL_DATES = st.one_of(st.just(dt.date(2024, 1, 1)), EXTREMES["date"])


@settings(max_examples=settings().max_examples * 4)
@given(st.data())
def test_well_typed_expressions_compile_and_evaluate_without_internal_errors(data: Any) -> None:
    """A well-typed expression compiles without diagnostics, and evaluating it (with its
    explanation, as JSON) on valid inputs either succeeds or raises a DiagnosticError with
    one located E402, E404 or E506: never another exception."""
    t = data.draw(st.sampled_from(TYPES), label="type")
    gen = data.draw(expr(t, 4, compound=True), label="expression")
    text = policy_text([(t, gen)])
    note(text)
    policy = compiled(text)
    values = validated(policy, data.draw(cases(policy), label="inputs"))
    evaluate(policy, values, data.draw(EVAL_DATES, label="on"))


REGRESSION_INPUTS = {
    "a": Decimal("1000"), "b": Decimal(0), "n": 1, "k": 0, "q": Decimal("0.5"), "r": Decimal("0.1"),
    "d": dt.date(2024, 1, 31), "e": dt.date(2024, 3, 1), "yr": 2024, "flag": True, "g": True,
    "kind": "lo", "label": "", "flags": (True, False, True), "amounts": (Decimal("2.50"), Decimal(0))}


@pytest.mark.parametrize("rules", [
    # Shapes the generator reaches only by chance, and what it found, kept as regressions.
    "output o : boolean = (at least 2 of [v for each v in flags where (v and g)])",
    "output o : boolean = ((count of [(v > a) for each v in [w for each w in amounts where "
    "(w > 0 EUR)]]) >= n)",
    "output o : boolean = (all of [v for each v in [(not v) for each v in flags]])",
    "output o : boolean = ((pm at (d + 1 month)) > round_up((a / 3), 0 EUR))",
    # A qualified member of the enumeration an input declares with `one of` (was E100
    # "kind has no field 'mid'").
    "output o : kind = (if flag then kind.mid else kind)",
    # A `define` holding an amount of more than 28 digits (not rounded: only outputs are):
    # its explanation JSON raised InvalidOperation.
    "define h : money =\n  (a * 123456789012345678 * 1000000000000)\n\noutput o : boolean = (h > 0 EUR)",
    # A month and day harvested from date(…) beyond a C long crashed the verifier's strategy.
    # (It was date(yr, 0, …): a month 0 is now E010 at check time, so the month is 1.)
    "output o : date = (1 day + min(d, date(yr, 1, 123456789012345678 * 1000000000000)))",
])
@settings(max_examples=20)
@given(data=st.data())
def test_regressions_of_the_expression_generator(rules: str, data: Any) -> None:
    policy = compiled(HEADER + "\n" + rules + "\n")
    evaluate(policy, validated(policy, REGRESSION_INPUTS), dt.date(2024, 1, 1))
    # The verifier's strategies for this policy give valid inputs.
    h = harvest(policy.program)
    case = data.draw(st.fixed_dictionaries({i.name: strategy_for(i.type, h, i.minimum, i.maximum, i.name)
                                            for i in policy.unit.inputs}))
    evaluate(policy, validated(policy, case), dt.date(2024, 1, 1))


# ====================================================================== real policies

POLICY_FILES = sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "policies").rglob("*.legis"))
_LOADED: dict[str, Policy] = {}


def load(file: str) -> Policy:
    """A real policy (skipped when another change left it not compiling)."""
    if file not in _LOADED:
        try:
            _LOADED[file] = Policy.load(REPO_ROOT / file)
        except DiagnosticError as exc:
            pytest.skip(f"{file} does not compile: {exc.diagnostics[0].message}")
    return _LOADED[file]


_FRESH: dict[str, Policy] = {}


def load_again(file: str) -> Policy:
    """The same policy compiled a second time (a distinct, never evaluated Policy)."""
    if file not in _FRESH:
        _FRESH[file] = Policy.load(REPO_ROOT / file)
    return _FRESH[file]


_REAL_CASES: dict[str, st.SearchStrategy[dict[str, Any]]] = {}


def real_cases(file: str) -> st.SearchStrategy[dict[str, Any]]:
    if file not in _REAL_CASES:
        policy = load(file)
        _REAL_CASES[file] = case_strategy(policy, harvest(policy.program))
    return _REAL_CASES[file]


def successful(policy: Policy, values: dict[str, Any], on: dt.date | None) -> Any:
    """The result of an evaluation, or reject the case (out of the policy's domain, or
    refused by a `require`: the strategies draw both sides of an input constraint)."""
    if breaks_requirement(policy.evaluator, values):
        assume(False)
    try:
        return policy.run(values, on=on, explain_it=True)
    except DiagnosticError:
        assume(False)


def trace_inputs(traces: tuple[Trace, ...]) -> list[Trace]:
    """Every `input` node of the explanation (inputs are always leaves)."""
    out: list[Trace] = []

    def walk(t: Trace) -> None:
        if t.kind == "input":
            assert not t.children
            out.append(t)
        for c in t.children:
            walk(c)
    for t in traces:
        walk(t)
    return out


def check_leaves(policy: Policy, data: Any, values: dict[str, Any], on: dt.date | None,
                 redraw: Callable[[Any], st.SearchStrategy[Any]]) -> None:
    result = successful(policy, values, on)
    as_of = result.as_of
    assert [t.name for t in result.trace] == list(result.outputs)
    types = {i.name: i.type for i in policy.unit.inputs}
    for trace in result.trace:  # the root of each tree is the output, with its value
        assert trace.value == result.outputs[trace.name]
    read = set()
    for leaf in trace_inputs(result.trace):
        assert leaf in leaf.leaves()
        read.add(leaf.name)
        declared = next(i for i in policy.unit.inputs if i.name == leaf.name)
        if leaf.name not in values:  # left out: a presumption, or an optional input not given
            if declared.presumed:
                assert leaf.value == declared.default and leaf.detail.startswith("(presumed)")
            else:
                assert declared.optional and leaf.value is None \
                    and leaf.detail.startswith("(not given)"), f"the leaf {leaf.name} is not in the case"
            assert leaf.type == types[leaf.name]
            continue
        assert leaf.value == values[leaf.name] and type(leaf.value) is type(values[leaf.name]), \
            f"the leaf {leaf.name} shows {leaf.value!r}, the input is {values[leaf.name]!r}"
        assert leaf.type == types[leaf.name]
    # The evaluation date is the result's `as_of` (not a leaf): it is held fixed, and so
    # is the `as of` input that gives it.
    fixed = read | ({policy.unit.as_of} if policy.unit.as_of else set())
    others = [i for i in policy.unit.inputs if i.name not in fixed]
    note(f"inputs read by the explanation: {sorted(read)}; redrawn: {[i.name for i in others]}")
    for attempt in ("first", "second"):
        changed = {i.name: data.draw(redraw(i), label=f"{attempt} {i.name}") for i in others}
        # other *valid* values: a redraw that breaks a `require` is no case of the policy
        assume(not breaks_requirement(policy.evaluator, {**values, **changed}))
        again = validated(policy, {**values, **changed})
        try:
            rerun = policy.run(again, on=as_of).outputs
        except DiagnosticError as exc:
            raise AssertionError(f"changing inputs that are not in the explanation ({changed}) "
                                 f"made the evaluation fail: {exc}") from None
        assert rerun == result.outputs, \
            f"changing inputs that are not in the explanation ({changed}) changed the outputs"


@pytest.mark.parametrize("file", POLICY_FILES)
@settings(max_examples=max(settings().max_examples // 2, 10))
@given(data=st.data())
def test_explanation_leaves_determine_the_outputs_of_real_policies(file: str, data: Any) -> None:
    """For a case that evaluates (as of the date D it is evaluated on), with explanation
    trees T (one per output):

    (a) the root of each tree is its output, with the output's value;
    (b) every `input` node of T is a leaf whose value is exactly (same type, same value) the
        value the case gives that input;
    (c) let R be the inputs named by input nodes of T, plus the `as of` input if the
        policy has one (it fixes D, which the result reports as `as_of`, not as a leaf).
        Redrawing every input outside R with other valid values, twice independently,
        and evaluating again on D gives the same outputs (and never an error): the
        inputs the explanation shows are all the result depends on.
    """
    policy = load(file)
    values = data.draw(real_cases(file), label="case")
    h = harvest(policy.program)
    check_leaves(policy, data, values, None,
                 lambda i: strategy_for(i.type, h, i.minimum, i.maximum, i.name))


@given(st.data())
def test_explanation_leaves_determine_the_outputs_of_generated_policies(data: Any) -> None:
    """The same property as for the real policies (see above), for generated policies of
    one to three outputs (no `as of` input: the evaluation date is given)."""
    outputs = [(t, data.draw(expr(t, 3, compound=True), label=f"o{i}")) for i, t in
               enumerate(data.draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3),
                                   label="types"))]
    text = policy_text(outputs)
    note(text)
    policy = compiled(text)
    values = validated(policy, data.draw(cases(policy), label="case"))
    h = harvest(policy.program)
    check_leaves(policy, data, values, data.draw(EVAL_DATES, label="on"),
                 lambda i: value_strategy(policy, h, i))


@pytest.mark.parametrize("rules, read", [
    # What a comprehension's body and filter read (was missing from the explanation).
    ("output o : list of boolean = [flag for each v in amounts where (v > a)]",
     {"amounts", "flag", "a"}),
    # The K of `at least K of` a block (was missing from the explanation).
    ("define h = at least n of\n  flag\n  g\n\noutput o : boolean = h", {"n", "flag", "g"}),
    ("output o : boolean = (at least n of [flag, g])", {"n", "flag", "g"}),
    # A parameter read, in a comprehension, at a date computed from the element.
    ("output o : list of money = [(pm at (d + (v * 1 day))) for each v in [n, k]]",
     {"d", "n", "k"}),
])
def test_the_explanation_shows_what_each_rule_reads(rules: str, read: set[str]) -> None:
    policy = compiled(HEADER + "\n" + rules + "\n")
    result = policy.run(validated(policy, REGRESSION_INPUTS), on=dt.date(2024, 1, 1),
                        explain_it=True)
    assert {t.name for t in trace_inputs(result.trace)} == read
    json.dumps(result.to_json())


# ====================================================================== 3. determinism

def _without_file(doc: Any) -> Any:
    """Explanation JSON without file names (a policy compiled from text is written to a
    temporary file whose name changes at each compilation)."""
    if isinstance(doc, dict):
        return {k: ("<file>" if k == "file" else _without_file(v)) for k, v in doc.items()}
    if isinstance(doc, (list, tuple)):
        return [_without_file(v) for v in doc]
    return doc


def check_deterministic(policy: Policy, fresh: Policy, data: Any, values: dict[str, Any],
                        other: dict[str, Any], on: dt.date | None, same_file: bool) -> None:
    def run(p: Policy, v: dict[str, Any]) -> Any:
        try:
            return ("ok", p.run(v, on=on, explain_it=True).to_json())
        except DiagnosticError as exc:
            return ("error", [d.to_json() for d in exc.diagnostics])

    first = run(policy, values)
    assert run(policy, values) == first  # a second evaluation, in a fresh Env
    run(policy, other)  # another case in between (parameter values are cached)
    assert run(policy, values) == first
    keys = data.draw(st.permutations(list(values)), label="key order")
    assert run(policy, {k: values[k] for k in keys}) == first
    again = run(fresh, values)  # the same rules, compiled again
    if same_file:
        assert again == first
    else:
        assert _without_file(again) == _without_file(first)
    assert json.dumps(first, sort_keys=True) == json.dumps(run(policy, values), sort_keys=True)


@pytest.mark.parametrize("file", POLICY_FILES)
@settings(max_examples=max(settings().max_examples // 5, 10))
@given(data=st.data())
def test_evaluation_of_real_policies_is_deterministic(file: str, data: Any) -> None:
    policy = load(file)
    fresh = load_again(file)
    values = data.draw(real_cases(file), label="case")
    other = data.draw(real_cases(file), label="another case")
    check_deterministic(policy, fresh, data, values, other, None, same_file=True)


@given(st.data())
def test_evaluation_of_generated_policies_is_deterministic(data: Any) -> None:
    t = data.draw(st.sampled_from(TYPES), label="type")
    text = policy_text([(t, data.draw(expr(t, 3, compound=True), label="expression"))])
    note(text)
    policy = compiled(text)
    fresh = Policy.from_string(text, name="gen.legis", base=REPO_ROOT)
    values = validated(policy, data.draw(cases(policy), label="case"))
    other = validated(policy, data.draw(cases(policy), label="another case"))
    check_deterministic(policy, fresh, data, values, other, data.draw(EVAL_DATES, label="on"),
                        same_file=False)


# ====================================================================== 4. print ∘ parse

NAMES = st.sampled_from(["a", "costs_paid", "réseau_santé", "x1", "be.index.ceiling", "m.score"])
FIELDS = st.sampled_from(["score", "counted", "n"])
UNITS = st.sampled_from([None, None, "EUR", "€", "%", "day", "days", "month", "months", "year",
                         "years"])
# Texts hold anything but a newline and the direction controls refused in texts (E006).
TEXTS = st.text(st.characters(exclude_categories=["Cs"],
                              exclude_characters="\n" + "".join(BIDI_CONTROLS)), max_size=6)


def _name(text: str) -> ast.Name:
    return ast.Name(tuple(text.split(".")))


LEAF_ASTS = st.one_of(
    st.builds(ast.Number, st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,2})?\Z"), UNITS),
    st.builds(ast.DateLit, st.dates().map(dt.date.isoformat)),
    st.builds(ast.TextLit, TEXTS),
    st.builds(ast.BoolLit, st.booleans()),
    st.builds(ast.Ref, NAMES.map(_name)),
)


def _compound(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    lists = st.lists(children, max_size=3).map(tuple)
    # An inline aggregate over a list literal is parsed as items; over anything else
    # (a name, a call, a comprehension…) as a list value.
    not_a_list = children.filter(lambda c: not isinstance(c, ast.ListExpr))
    return st.one_of(
        st.builds(ast.Binary, st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", "<=", ">",
                                               ">=", "and", "or", "implies"]), children, children),
        st.builds(ast.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(ast.If, children, children, children),
        st.builds(ast.Between, children, children, children),
        st.builds(ast.At, children, children),
        st.builds(ast.Call, st.sampled_from(["min", "round_down", "date", "be.x.f"]).map(_name), lists),
        st.builds(ast.ListExpr, lists),
        st.builds(ast.RecordLit, st.lists(st.tuples(FIELDS, children), max_size=2).map(tuple)),
        st.builds(ast.Comprehension, children, st.sampled_from(["v", "m"]), children,
                  st.none() | children),
        st.builds(lambda kind, items: ast.Aggregate(kind, tuple(ast.Item(i) for i in items)),
                  st.sampled_from(["all", "any", "count"]), lists),
        st.builds(lambda k, items: ast.Aggregate("at_least", tuple(ast.Item(i) for i in items),
                                                 None, k), children, lists),
        st.builds(lambda kind, over: ast.Aggregate(kind, None, over),
                  st.sampled_from(["all", "any", "count"]), not_a_list),
        st.builds(lambda k, over: ast.Aggregate("at_least", None, over, k), children, not_a_list),
    )


EXPRESSION_ASTS = st.recursive(LEAF_ASTS, _compound, max_leaves=12)


def parse_expression(text: str) -> ast.Expr:
    module, diagnostics = parse_module(f"policy t\n\ndefine d = {text}\n", "roundtrip.legis")
    assert diagnostics == [], [f"{d.code} {d.message} at {d.span}" for d in diagnostics]
    (decl,) = module.declarations
    return decl.expr


@pytest.mark.parametrize("full", [True, False], ids=["full-parentheses", "minimal-parentheses"])
@given(node=EXPRESSION_ASTS, unicode=st.booleans())
def test_printing_then_parsing_an_expression_gives_it_back(node: ast.Expr, unicode: bool,
                                                           full: bool) -> None:
    """parse(print(ast)) == ast, for random expression ASTs (any shape: parsing does not
    type-check). With minimal parentheses, this checks the grammar's precedence and
    associativity against the table of docs/language.md."""
    text = Printer(full, unicode)(node)
    note(text)
    assert parse_expression(text) == node


@pytest.mark.parametrize("char", ["\r", "\x0b", "\x0c", "\x1c", "\x1e", "\x85", "\u2028", "\u2029"])
def test_a_text_holding_a_line_separator_other_than_newline_parses(char: str) -> None:
    """str.splitlines() cuts at these characters, the grammar does not: the parser cut
    `"a\u2028b"` into two declarations (E002, E001)."""
    node = ast.TextLit(f"a{char}b")
    assert parse_expression(Printer(True)(node)) == node


@given(st.data())
def test_generated_expressions_parse_to_what_the_printer_reprints(data: Any) -> None:
    """print ∘ parse is a fixed point on generated (typed) expression text:
    parse(print(parse(x))) == parse(x), with minimal and with full parentheses."""
    t = data.draw(st.sampled_from(TYPES))
    gen = data.draw(expr(t, 4, compound=True))
    tree = parse_expression(gen.src)
    for full in (True, False):
        assert parse_expression(Printer(full)(tree)) == tree

"""Golden tests of the diagnostics an analyst sees.

Each case is a small bad rule file (or a bad input) under tests/cases/bad/. Its
diagnostics are rendered with `render_plain` and compared with tests/golden/<case>.txt.
Regenerate the goldens after an intended change of wording with

    LEGISTE_UPDATE_GOLDEN=1 pytest tests/test_diagnostics.py

and read the diff: a golden is a promise about what an author reads.

The tests run from the repository root with relative paths, so the goldens hold paths
as the author typed them (tests/cases/bad/…), never the absolute path of a checkout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from legiste.compiler.api import Policy, compile_file
from legiste.dsl.diagnostics import CODES, Diagnostic, DiagnosticError, render_plain

REPO_ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/cases/bad")  # relative to the repository root
GOLDEN = REPO_ROOT / "tests" / "golden"
MODULES = BAD / "modules"
INPUT_TARGET = BAD / "input_target.legis"  # a correct policy, the target of input_*.json

UPDATE = os.environ.get("LEGISTE_UPDATE_GOLDEN") == "1"

# (case, how it is produced, the code it must report)
#   check: compile tests/cases/bad/<case>.legis
#   input: validate tests/cases/bad/<case>.json against input_target.legis
#   run:   load <case>.legis, validate <case>.json, evaluate (a run-time error)
CASES: list[tuple[str, str, str]] = [
    # syntax
    ("syntax_unexpected_token", "check", "E001"),
    ("syntax_decimal_comma", "check", "E001"),
    ("unexpected_character", "check", "E002"),
    ("inconsistent_indentation", "check", "E003"),
    ("when_in_all_of", "check", "E004"),
    ("missing_header", "check", "E106"),
    # the usual slips (issue 11 §7): each says what to write instead
    ("misspelt_keyword", "check", "E001"),
    ("thousands_separator", "check", "E001"),
    ("slash_date", "check", "E011"),
    ("double_equals", "check", "E001"),
    ("chained_comparison", "check", "E001"),
    ("double_ampersand", "check", "E002"),
    ("tab_indentation", "check", "E007"),
    ("citation_under_dated_value", "check", "E001"),
    ("date_day_above_31", "check", "E010"),
    ("extended_example_error", "check", "E100"),
    ("quote_in_wrong_source", "check", "E300"),
    # units that cannot slip (issue 11 §5)
    ("rate_without_percent", "check", "E201"),
    # names, types and units
    ("unknown_name", "check", "E100"),
    ("unknown_type", "check", "E104"),
    ("duplicate_definition", "check", "E101"),
    ("circular_definition", "check", "E105"),
    ("invalid_date_literal", "check", "E010"),
    ("money_times_money", "check", "E201"),
    ("date_plus_money", "check", "E201"),
    ("compare_money_number", "check", "E201"),
    ("if_branches_differ", "check", "E200"),
    ("wrong_function_arguments", "check", "E202"),
    ("first_of_without_otherwise", "check", "E203"),
    ("table_overlap", "check", "E240"),
    ("table_gap", "check", "E241"),
    ("table_cell_not_constant", "check", "E242"),
    ("table_row_never_applies", "check", "E243"),
    ("record_rule_unknown_member", "check", "E100"),
    ("record_rule_cycle", "check", "E105"),
    ("recursive_function", "check", "E210"),
    # presumptions, optional inputs, input constraints and rule errors
    ("optional_read_unguarded", "check", "E220"),
    ("presumed_and_optional", "check", "E221"),
    # modules and citations
    ("unknown_module", "check", "E102"),
    ("import_cycle", "check", "E103"),
    ("misquoted_citation", "check", "E300"),
    ("unknown_source", "check", "E302"),
    # inputs
    ("input_missing", "input", "E500"),
    ("input_mistyped", "input", "E501"),
    ("input_unknown_enum", "input", "E502"),
    ("input_negative_amount", "input", "E503"),
    ("input_unknown_field", "input", "E504"),
    ("input_impossible_date", "input", "E506"),
    ("input_not_json", "input", "E505"),
    ("input_many_problems", "input", "E500"),
    # run time
    ("runtime_parameter_before_first_date", "run", "E400"),
    ("runtime_missing_index", "run", "E401"),
    ("runtime_division_by_zero", "run", "E402"),
    ("runtime_rule_error", "run", "E405"),
    ("input_requirement_unmet", "run", "E507"),
]

# Cases whose diagnostic, by design, carries no hint (and says so here, so that a
# diagnostic losing its hint is noticed).
NO_HINT = {"syntax_unexpected_token", "when_in_all_of", "missing_header",
           "wrong_function_arguments", "input_mistyped", "input_negative_amount",
           "input_missing", "input_many_problems"}


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.delenv("LEGISTE_PATH", raising=False)
    monkeypatch.delenv("LEGISTE_SOURCES", raising=False)


def diagnostics_of(case: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    if case == "import_cycle":
        monkeypatch.setenv("LEGISTE_PATH", str(MODULES))
    if kind == "check":
        program, diagnostics = compile_file(str(BAD / f"{case}.legis"))
        assert program is None, f"{case}.legis compiled without error"
        return diagnostics
    policy_file = INPUT_TARGET if kind == "input" else BAD / f"{case}.legis"
    input_file = BAD / f"{case}.json"
    policy = Policy.load(str(policy_file))
    with pytest.raises(DiagnosticError) as caught:
        values = policy.validate_json(input_file.read_text(encoding="utf-8"), str(input_file))
        if kind == "input":
            pytest.fail(f"{case}.json was accepted")
        policy.run(values)
    return caught.value.diagnostics


@pytest.mark.parametrize(("case", "kind", "code"), CASES, ids=[c[0] for c in CASES])
def test_golden(case: str, kind: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    diagnostics = diagnostics_of(case, kind, monkeypatch)
    rendered = render_plain(diagnostics)
    golden = GOLDEN / f"{case}.txt"
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"no golden {golden.name}; run with LEGISTE_UPDATE_GOLDEN=1 to create it")
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8"), \
        f"diagnostics of {case} changed; if intended, regenerate with LEGISTE_UPDATE_GOLDEN=1"

    # What every golden must show, whatever its wording.
    assert any(d.code == code for d in diagnostics), f"{case}: expected {code}"
    assert all(d.code in CODES for d in diagnostics)
    assert str(REPO_ROOT) not in rendered and "/work/" not in rendered, "absolute path in a golden"
    assert "Traceback" not in rendered
    first = diagnostics[0]
    assert re.search(rf"^  --> {re.escape(first.span.file)}:\d+:\d+$", rendered, re.M)
    assert not Path(first.span.file).is_absolute()
    assert re.search(r"^\s*\d+ \| .+$", rendered, re.M), "no source excerpt"
    assert re.search(r"^\s* \| *\^+$", rendered, re.M), "no caret line"
    if case not in NO_HINT:
        assert "= hint: " in rendered, f"{case}: the diagnostic lost its hint"


def test_goldens_match_cases() -> None:
    """No stale golden, and enough distinct diagnostics covered."""
    names = {c[0] for c in CASES}
    if GOLDEN.is_dir():
        stale = {p.stem for p in GOLDEN.glob("*.txt")} - names
        assert not stale, f"goldens without a case: {sorted(stale)}"
    assert len(names) == len(CASES)
    assert len({c[2] for c in CASES}) >= 18


def test_carets_point_at_the_offending_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The span of each diagnostic covers the text the message is about."""
    expectations = {
        "unknown_name": "cost_paid",
        "unknown_type": "mony",
        "invalid_date_literal": "2023-02-30",
        "money_times_money": "costs_paid * ceiling",
        "syntax_unexpected_token": "*",
        "syntax_decimal_comma": ",",
        "unexpected_character": "'",
        "import_cycle": "cyc.a",
        "runtime_division_by_zero": "costs_paid / gp_count",
        "misspelt_keyword": "paramter",
        "thousands_separator": "878",
        "slash_date": "02/09/2024",
        "double_equals": "=",
        "chained_comparison": ">=",
        "double_ampersand": "&",
        "tab_indentation": "\t",
        "citation_under_dated_value": "§",
        "date_day_above_31": "date(year_of_costs, 12, 32)",
        "rate_without_percent": "32",
        "quote_in_wrong_source": '§ "lorsqu\'il s\'agit de leur premier recrutement" in telesecretariat',
    }
    kinds = {c[0]: c[1] for c in CASES}
    for case, text in expectations.items():
        d = diagnostics_of(case, kinds[case], monkeypatch)[0]
        line = (REPO_ROOT / d.span.file).read_text(encoding="utf-8").splitlines()[d.span.line - 1]
        assert line[d.span.column - 1:d.span.end_column - 1] == text, case


def test_a_diagnostic_of_an_extended_example_is_reported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad `given` line of an example that two others extend is one diagnostic, not
    three (E204 was printed 17 times)."""
    diagnostics = diagnostics_of("extended_example_error", "check", monkeypatch)
    assert [d.code for d in diagnostics] == ["E100"]


def test_a_gap_of_an_extended_example_is_reported_at_the_example_extended() -> None:
    """An example that lacks an input lacks it in every example extending it: one E204."""
    from legiste.compiler.pipeline import compile_source

    text = ('policy t.p\n\ninput\n  a : integer\n  b : integer\n\noutput y : integer = a + b\n\n'
            'example "base"\n  given a = 1\n  expect y = 1\n\n'
            'example "more" extends "base"\n  given a = 2\n  expect y = 2\n')
    diagnostics = compile_source("p.legis", text=text).diagnostics
    assert [(d.code, d.message) for d in diagnostics] == [
        ("E204", 'example "base" gives no value for: b')]


def test_input_problems_are_all_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad input lists every problem at once, not the first one only."""
    codes = [d.code for d in diagnostics_of("input_many_problems", "input", monkeypatch)]
    assert {"E500", "E501", "E504"} <= set(codes)
    assert codes.count("E500") == 1  # costs_paid; the other missing fields are present


def test_every_syntax_error_of_a_file_is_reported() -> None:
    """One bad declaration does not hide the next one."""
    from legiste.dsl.parser import parse_module

    text = ("policy t.two_errors\n\n"
            "define a = 1 +\n\n"
            "define b = (2\n\n"
            "define c = 3\n")
    module, diagnostics = parse_module(text, "two_errors.legis")
    assert [d.span.line for d in diagnostics] == [3, 5]
    assert [d.name for d in module.declarations] == ["c"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("source", [
    "policy t.p\n\ndefine x = 1 2\n",
    "policy t.p\n\ndefine x = 1 EUR EUR\n",
    "policy t.p\n\ndefine x = (1\n",
    "policy t.p\n\ninput\n  a : money,\n",
    "policy t.p\n\nfoo bar\n",
    "policy t.p\n\ndefine x = 1 +\n",
])
def test_syntax_messages_name_no_internal_terminal(source: str) -> None:
    """Lark's terminal names (__ANON_3, RPAR, _NL…) never reach an author."""
    from legiste.dsl.parser import parse_module

    _, diagnostics = parse_module(source, "p.legis")
    assert diagnostics
    text = render_plain(diagnostics)
    assert not re.search(r"__ANON|\b[A-Z]{3,}_?[A-Z]*\b(?<!EUR)|_NL|_INDENT|_DEDENT|\$END", text), text
    assert "unexpected the" not in text

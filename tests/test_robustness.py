"""Robustness: whatever an author types, Légiste answers with diagnostics, never a crash.

Random mutations of the real rule files (every .legis under policies/ and legiste/stdlib/) are
compiled; a mutant that still compiles has its examples run. The only acceptable
outcomes are a program, a list of diagnostics, or a `DiagnosticError` raised by the
API. Any other exception is a bug.

The mutants live in a copy of policies/ and legiste/stdlib/ with its own pyproject.toml (the
same module roots, the repository's sources path), so `use be.index` resolves to the
copy and a mutated stdlib module is seen by the policies that use it.

Profiles: HYPOTHESIS_PROFILE=ci (default, 150 mutants) or thorough (2000).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legiste.compiler.api import Policy, compile_file
from legiste.compiler.resolution.config import load_config
from legiste.compiler.tools.examples import run_examples
from legiste.dsl.diagnostics import DiagnosticError, render_plain

REPO_ROOT = Path(__file__).resolve().parent.parent
TREES = ("policies", "legiste/stdlib")
FILES = sorted(str(p.relative_to(REPO_ROOT)) for tree in TREES
               for p in (REPO_ROOT / tree).rglob("*.legis"))
ORIGINALS = {f: (REPO_ROOT / f).read_text(encoding="utf-8") for f in FILES}

# Words and characters an author (or a copy-and-paste) could put anywhere.
TOKENS = [
    # keywords and multi-word heads
    "policy", "module", "use", "as", "of", "input", "parameter", "series", "enum", "record",
    "define", "output", "invariant", "monotone", "example", "extends", "given", "expect",
    "error", "from", "until", "indexed by", "all of", "any of", "count of", "first of",
    "at least", "at most", "at", "when", "otherwise", "unless", "if", "then", "else", "not",
    "and", "or", "implies", "between", "true", "false", "one of", "list of", "note", "title",
    "source", "period", "yearly", "monthly", "for each", "in", "where",
    # types, units, operators and punctuation
    "money", "integer", "decimal", "rate", "date", "year", "duration", "text", "boolean",
    "EUR", "€", "%", "days", "month", "years", "+", "-", "*", "/", "×", "=", "!=", "<", "<=",
    ">", ">=", "≠", "≤", "≥", ":", ",", ".", "(", ")", "[", "]", '"', "'", "\\", "§", "#",
    # literals
    "0", "1", "2", "150", "-1", "4555,10", "4555.10", "0.001", "99999999999999999999999",
    "2023-02-30", "2024-01-01", "2023-13-01", "0000-00-00", "9999-12-31", "0001-01-01",
    "2024-02-29", "1e999999999",
    '"x"', '""', '"unterminated', "date(2023, 2, 30)", "min(", "round_down(", "year(",
    # names a mutation may collide with
    "request_date", "costs_paid", "intervention", "ceiling", "eligible", "be.index",
    "be.index.impulseo_brussels", "impulseo_brussels", "individual", "cost_year",
    # whitespace and unusual characters
    "\t", "    ", " ", "\n", "\r", "\r\n", "\x00", "\x0c", "\u00a0", "\u2028", "\ufeff",
    "é", "’", "…", "—", "🙂", "\u0301", "ß", "İ", "٣", "Ⅻ", "²",
]
CHARS = st.one_of(st.sampled_from([t for t in TOKENS if len(t) == 1]), st.characters())


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _join(lines: list[str]) -> str:
    return "\n".join(lines)


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    """One random edit of `text`."""
    lines = _lines(text)
    n = len(lines)
    kind = draw(st.sampled_from([
        "delete_line", "duplicate_line", "swap_lines", "reindent_line", "truncate",
        "delete_char", "insert_char", "replace_char",
        "delete_token", "insert_token", "replace_token",
    ]))
    if kind == "delete_line":
        i = draw(st.integers(0, n - 1))
        return _join(lines[:i] + lines[i + 1:])
    if kind == "duplicate_line":
        i = draw(st.integers(0, n - 1))
        return _join(lines[:i + 1] + lines[i:])
    if kind == "swap_lines":
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return _join(lines)
    if kind == "reindent_line":
        i = draw(st.integers(0, n - 1))
        body = lines[i].lstrip(" \t")
        indent = draw(st.sampled_from(["", " ", "  ", "   ", "    ", "      ", "\t", "  \t", "\t  "]))
        lines[i] = indent + body
        return _join(lines)
    if kind == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    if kind in ("delete_char", "insert_char", "replace_char"):
        if not text:
            return draw(CHARS)
        i = draw(st.integers(0, len(text) - 1))
        if kind == "delete_char":
            return text[:i] + text[i + 1:]
        c = draw(CHARS)
        return text[:i] + c + text[i + (kind == "replace_char"):]
    # token edits: on one line, between or on its words
    i = draw(st.integers(0, n - 1))
    parts = re.findall(r"\s+|[^\s]+", lines[i])
    token = draw(st.sampled_from(TOKENS))
    if kind == "insert_token" or not parts:
        at = draw(st.integers(0, len(parts)))
        parts[at:at] = [" ", token, " "] if draw(st.booleans()) else [token]
    else:
        words = [k for k, p in enumerate(parts) if not p.isspace()] or [0]
        k = draw(st.sampled_from(words))
        parts[k:k + 1] = [] if kind == "delete_token" else [token]
    lines[i] = "".join(parts)
    return _join(lines)


@st.composite
def mutant(draw: st.DrawFn) -> tuple[str, str]:
    """(file relative to the repository root, its mutated text): one to three edits."""
    file = draw(st.sampled_from(FILES))
    text = ORIGINALS[file]
    for _ in range(draw(st.integers(1, 3))):
        text = draw(mutation(text))
    return file, text


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Path]:
    """A copy of policies/ and legiste/stdlib/ that resolves modules and sources like the repository."""
    sources = load_config(REPO_ROOT).sources
    with tempfile.TemporaryDirectory(prefix="legiste-mutants-") as tmp:
        root = Path(tmp)
        for tree in TREES:
            shutil.copytree(REPO_ROOT / tree, root / tree)
        (root / "pyproject.toml").write_text(
            "[tool.legiste]\n"
            f"modules = {list(TREES)!r}\n"
            f"sources = {[str(s) for s in sources]!r}\n", encoding="utf-8")
        yield root


def _users(root: Path, module_file: str) -> list[Path]:
    """The policies of the sandbox that `use` the module in module_file (legiste/stdlib/a/b.legis)."""
    name = ".".join(Path(module_file).with_suffix("").relative_to(TREES[1]).parts)
    pattern = re.compile(rf"^use {re.escape(name)}\b", re.M)
    return [p for p in sorted((root / "policies").rglob("*.legis"))
            if pattern.search(p.read_text(encoding="utf-8"))]


def exercise(path: Path) -> None:
    """Compile a file; if it compiles, run its examples. Only diagnostics may come out."""
    program, diagnostics = compile_file(path)
    render_plain(diagnostics)  # rendering a diagnostic must not fail either
    if program is None:
        assert any(d.is_error for d in diagnostics)
        return
    policy = Policy(program, [d for d in diagnostics if not d.is_error])
    for result in run_examples(policy):
        render_plain(result.diagnostics)


def check_mutant(root: Path, file: str, text: str) -> None:
    target = root / file
    try:
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            exercise(target)
            if file.startswith(TREES[1] + "/"):  # a mutated module is seen by the policies using it
                for policy in _users(root, file):
                    exercise(policy)
        except DiagnosticError as exc:  # allowed: the API's way to report problems
            render_plain(exc.diagnostics)
    finally:
        target.write_text(ORIGINALS[file], encoding="utf-8")


@pytest.mark.parametrize("file", FILES)
def test_originals_compile(file: str, sandbox: Path) -> None:
    """The unmutated files compile in the sandbox (or the mutants would test nothing)."""
    program, diagnostics = compile_file(sandbox / file)
    assert program is not None, render_plain(diagnostics)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=mutant())
def test_mutants_never_crash(case: tuple[str, str], sandbox: Path) -> None:
    file, text = case
    check_mutant(sandbox, file, text)


# ------------------------------------------------------------------ inputs
#
# The same promise for the cases a policy is evaluated on: a JSON input, however wrong,
# gives diagnostics. The real input files are mutated field by field.

INPUT_FILES = sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "policies").rglob("inputs/*.json"))

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-10**30, 10**30),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.sampled_from(["2024-02-30", "9999-12-31", "0001-01-01", "2024-02-29", "1e999999999",
                         "-0.00", "7400.00 EUR", "7400,00", "20 %", "%", "€", "", " ", "group",
                         "individual", "NaN", "Infinity", "-1", "1_000", "١٢", "30 days"]),
        st.text(max_size=12)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children,
                                                                         max_size=3),
    max_leaves=6)


def _policy_of(input_file: str) -> Path:
    """The policy an input file is for: the .legis of the folder above inputs/."""
    folder = (REPO_ROOT / input_file).parent.parent
    candidates = sorted(folder.glob("*.legis"))
    return candidates[0]


@st.composite
def mutated_input(draw: st.DrawFn) -> tuple[str, str]:
    file = draw(st.sampled_from(INPUT_FILES))
    data = json.loads((REPO_ROOT / file).read_text(encoding="utf-8"), parse_float=Decimal)
    for _ in range(draw(st.integers(1, 4))):
        keys = list(data)
        kind = draw(st.sampled_from(["replace", "delete", "add", "rename"]))
        if kind == "replace" and keys:
            data[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
        elif kind == "delete" and keys:
            del data[draw(st.sampled_from(keys))]
        elif kind == "rename" and keys:
            key = draw(st.sampled_from(keys))
            new_key = draw(st.sampled_from([key + "s", key + "_", key[:-1], key.upper()]))
            data[new_key] = data.pop(key)
        else:
            data[draw(st.text(max_size=10))] = draw(JSON_VALUES)
    text = json.dumps(data, default=str, ensure_ascii=False)
    if draw(st.integers(0, 9)) == 0:  # now and then, break the JSON itself
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(["", ",", "}", "{", '"', "\\", "NaN", "1" * 5000])) + text[i + 1:]
    return file, text


@pytest.fixture(scope="module")
def loaded_policies() -> dict[str, Policy]:
    return {f: Policy.load(_policy_of(f)) for f in INPUT_FILES}


@pytest.mark.skipif(not INPUT_FILES, reason="no input file under policies/")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated_input(), explain=st.booleans())
def test_bad_inputs_never_crash(case: tuple[str, str], explain: bool,
                                loaded_policies: dict[str, Policy]) -> None:
    file, text = case
    policy = loaded_policies[file]
    try:
        values = policy.validate_json(text, file)
        policy.run(values, explain_it=explain)
    except DiagnosticError as exc:
        assert exc.diagnostics
        render_plain(exc.diagnostics)


# ------------------------------------------------------------------ regressions
#
# Rule texts and inputs that once crashed the evaluator (an exception other than
# DiagnosticError escaped). Each must now give a located diagnostic.

HEAD = ("policy t.regression\n  as of d\n\ninput\n  d : date\n  n : integer\n  m : money\n"
        "  y : year\n\nparameter c : money\n  from 2020-01-01: 10 EUR\n\n")
CASE = {"d": "2024-01-01", "n": 1, "m": "1.00", "y": 2024}
REGRESSIONS = [
    # a date moved outside the calendar (OverflowError, ValueError in add_duration)
    ("output o : date = d + 1 day\n", {"d": "9999-12-31"}, "E404"),
    ("output o : date = d - 1 day\n", {"d": "0001-01-01"}, "E404"),
    ("output o : date = d + 1 month\n", {"d": "9999-12-31"}, "E404"),
    ("output o : date = d + n * 1 year\n", {"n": 10**9}, "E404"),
    # date() of a year too large for a C long (OverflowError)
    ("output o : date = date(n, 1, 1)\n", {"n": 10**17}, "E506"),
    # Decimal overflow when rounding an output to the cent (InvalidOperation)
    # (literals stop at 10^18, E005: the 44 digits are built by a product)
    ("output o : money = m * 999999999999999999 * 999999999999999999 * 99999999\n", {}, "E404"),
    ("output o : money = m * n\n", {"n": 10**17, "m": "99999999999999999.99"}, "E404"),
    # sums, differences and products of more than 28 significant digits: refused, not
    # rounded (they were rounded silently: 123456789.1234 ** 3 gave …436.862)
    ("output o : decimal = 123456789.1234 * 123456789.1234 * 123456789.1234\n", {}, "E404"),
    ("output o : money = m * 1.0000000001 - m\n", {"m": "99999999999999999.99"}, "E404"),
    ("output o : money = sum([m, 0.000000000001 EUR])\n", {"m": "99999999999999999.99"}, "E404"),
    ("output o : decimal = average([1.0000000000001, 99999999999999999])\n", {}, "E404"),
    # rounding to a step of 0 (DivisionByZero)
    ("output o : money = round(m, 0 EUR)\n", {}, "E402"),
    ("output o : decimal = round(1.5, 0)\n", {}, "E402"),
    # a parameter read at a date that failed, in a condition the explanation still shows
    # (date(y, 2, 30) is now refused at check time, E010: 29 February of 2025 fails only
    # when the case is run)
    ("output o = all of\n  n > 5\n  c at date(y + 1, 2, 29) > 0 EUR\n", {}, None),
    ("output o = all of\n  n > 5\n  d + 1 day > d\n", {"d": "9999-12-31"}, None),
    # huge inputs: refused before any arithmetic (int(Decimal('1E+999999999')) would hang)
    ("output o : integer = n\n", {"n": Decimal("1E+999999999")}, "E501"),
    ("output o : money = m\n", {"m": "1e999999999"}, "E501"),
    ("output o : integer = n\n", {"n": 10**5000}, "E501"),
]


@pytest.mark.parametrize(("rule", "changes", "code"), REGRESSIONS)
def test_evaluation_regressions(rule: str, changes: dict[str, object], code: str | None) -> None:
    policy = Policy.from_string(HEAD + rule)
    try:
        policy.evaluate({**CASE, **changes}, explain=True)
    except DiagnosticError as exc:
        assert code is not None, render_plain(exc.diagnostics)
        assert [d.code for d in exc.diagnostics] == [code], render_plain(exc.diagnostics)
        assert exc.diagnostics[0].span.line > 1 or code == "E501"
    else:
        assert code is None, f"expected {code}"


@pytest.mark.parametrize("text", [
    '{"n": ' + "1" * 5000 + "}",   # Python refuses ints of 4300+ digits (ValueError)
    "[" * 100_000 + "]" * 100_000,  # nesting deeper than the recursion limit
    "[" * 100_000,
    '{"n": NaN}',
    '{"n": 1, "n": 2}',
    "",
    "\ufeff{}",
])
def test_unreadable_inputs_are_diagnostics(text: str) -> None:
    policy = Policy.from_string(HEAD + "output o : integer = n\n")
    with pytest.raises(DiagnosticError) as caught:
        policy.validate_json(text, "case.json")
    assert caught.value.diagnostics
    render_plain(caught.value.diagnostics)


def test_python_keys_that_are_not_texts() -> None:
    policy = Policy.from_string(HEAD + "output o : integer = n\n")
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate({**CASE, 1: 2})
    assert [d.code for d in caught.value.diagnostics] == ["E504"]


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    """Some editors start a UTF-8 file with a byte-order mark; it is not an error."""
    path = tmp_path / "bom.legis"
    path.write_bytes(b"\xef\xbb\xbfpolicy t.bom\n\ninput\n  x : integer\n\noutput y : integer = x\n")
    program, diagnostics = compile_file(path)
    assert program is not None, render_plain(diagnostics)
    policy = Policy(program)
    assert policy.validate_json('\ufeff{"x": 1}', "case.json") == {"x": 1}


def test_an_index_of_zero_is_a_diagnostic() -> None:
    """A base index of 0 once escaped as decimal.InvalidOperation (0/0)."""
    policy = Policy.from_string(
        "policy t.zero_index\n  as of d\n\ninput\n  d : date\n\n"
        "series s : decimal\n  source \"test\"\n  2023: 0\n\n"
        "parameter p : money\n  from 2023-01-01: 1 EUR indexed by s\n\n"
        "output x : money = p\n")
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate({"d": "2023-06-01"}, explain=True)
    assert [d.code for d in caught.value.diagnostics] == ["E402"]


def test_zero_divided_by_zero_is_a_division_by_zero() -> None:
    """0/0 raises InvalidOperation([DivisionUndefined]) in the C decimal module."""
    policy = Policy.from_string(HEAD + "output o : decimal = (n - 1) / (n - 1)\n")
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate(CASE)
    assert [d.code for d in caught.value.diagnostics] == ["E402"]

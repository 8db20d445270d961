"""A grammar-aware fuzz test of the rule files (issue 10): mutants of every `.legis` file of
`policies/` and `legiste/stdlib/` (found by glob, so a new file is covered).

Mutations work on the Lark lexer's tokens and on lines: two tokens swapped, a token replaced
by another or deleted, a keyword or unit swapped for another, a line deleted, duplicated or
re-indented, a letter of a name or a digit replaced by a look-alike, a direction control
inserted, an operand nested very deep or chained very long, a literal made huge, a `use` of a
module, of a policy (E107) or of an alias that clashes inserted.

Each mutant goes through the CLI's entry point in-process (`cli.run`, exit code and printed
text captured): `check`; then, when it checks, `eval --explain --json` on a case of the
original file's examples and `compile --target python`, whose module is imported and must
give the interpreter's outputs. Asserted: never exit 3, never a traceback or an uncaught
exception, every error located (file:line:column), every generated module imports.

Deterministic (derandomized hypothesis); the budget follows the hypothesis profile: a
handful of mutants per file with `ci`, many with `thorough`.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import io
import itertools
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from legiste.compiler.api import Policy
from legiste.compiler.faces import cli
from legiste.compiler.runtime.values import to_json
from legiste.dsl.keywords import KEYWORDS, UNITS
from legiste.dsl.parser import lark_parser
from helpers import REPO_ROOT, load_generated

STDLIB = REPO_ROOT / "legiste" / "stdlib"
FILES = sorted((REPO_ROOT / "policies").rglob("*.legis")) + sorted(STDLIB.rglob("*.legis"))
# Mutants per file: 1/15 of the profile's examples (ci 150 → 10, thorough 2000 → 133).
PER_FILE = max(4, settings().max_examples // 15)

WORDS = sorted(set(KEYWORDS["en"].values()) | set(UNITS["en"].values()))
LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і", "y": "у",
              "l": "ӏ", "0": "０", "1": "١", "2": "２", "5": "۵", "s": "ѕ", "d": "ԁ"}
INVISIBLE = ["\u202e", "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff", "\u00a0"]
NESTINGS = [lambda t, d: "(" * d + t + ")" * d, lambda t, d: "not " * d + t,
            lambda t, d: "abs(" * d + t + ")" * d, lambda t, d: " + ".join([t] * d),
            lambda t, d: "[" * d + t + "]" * d, lambda t, d: "- " * d + t,
            lambda t, d: "if true then " * d + t + " else 0" * d]
HUGE = ["9" * 19, "1" + "0" * 40, "9" * 4301, "0." + "0" * 40 + "1", "1" * 29 + ".5", "10000000000000000 EUR",
        "99999999999999999999 %", "4301" * 1200]
OPERATORS = ["+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or", "implies", "%"]
NUMBERS = ["0", "1", "2", "0.5", "0.005", "1000000", "999999999999999999", "0.0000001", "100 %",
           "0 EUR", "1 day", "12 months"]
DATES = ["2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2024-13-01", "2023-06-31"]
USES = ["be.brussels.telesecretariat", "be.inami.care_certificates", "be.index", "be.inami",
        "be.index as be", "be.inami as x", "policies", "be"]
INDENTS = ["", " ", "  ", "   ", "    ", "\t", "        ", "  \t"]

Example = tuple[dict[str, Any], str | None]


def _tokens(path: Path) -> list[tuple[str, int, int]]:
    """(type, start, end) of the file's tokens that hold text (not the layout tokens)."""
    text = path.read_text(encoding="utf-8")
    return [(t.type, t.start_pos, t.end_pos) for t in lark_parser().lex(text)
            if not t.type.startswith("_") and t.end_pos is not None and t.end_pos > t.start_pos]


TOKENS = {path: _tokens(path) for path in FILES}


def _example_case(path: Path) -> Example:
    """A case of the file's examples (inputs as JSON, its date), or an empty one."""
    try:
        policy = Policy.load(path)
    except Exception:  # noqa: BLE001 - a file that does not load has no case to give
        return {}, None
    types = {i.name: i.type for i in policy.unit.inputs}
    for example in policy.unit.examples:
        if example.expect_error is None and set(types) <= set(example.given):
            return ({k: to_json(v, types[k]) for k, v in example.given.items() if k in types},
                    example.on.isoformat() if example.on else None)
    return {}, None


@st.composite
def mutants(draw: Any, path: Path) -> tuple[str, str]:
    """(what was done, the mutated text) of one rule file."""
    text = path.read_text(encoding="utf-8")
    tokens = TOKENS[path]
    kind = draw(st.sampled_from(["swap", "replace", "delete", "keyword", "delete line",
                                 "duplicate line", "reindent", "look-alike", "invisible",
                                 "nesting", "huge", "operator", "number", "date", "use"]))
    pick = lambda among: among[draw(st.integers(0, len(among) - 1))]  # noqa: E731

    def put(start: int, end: int, new: str) -> str:
        return text[:start] + new + text[end:]

    if kind in ("swap", "replace", "delete"):
        i = draw(st.integers(0, len(tokens) - 1))
        _, start, end = tokens[i]
        if kind == "delete":
            return f"delete token {text[start:end]!r}", put(start, end, "")
        j = min(len(tokens) - 1, i + draw(st.integers(1, 6))) if draw(st.booleans()) \
            else draw(st.integers(0, len(tokens) - 1))
        _, s2, e2 = tokens[j]
        if kind == "replace":
            return f"replace {text[start:end]!r} by {text[s2:e2]!r}", put(start, end, text[s2:e2])
        (a, b), (c, d) = sorted([(start, end), (s2, e2)])
        if c < b:  # the same token
            return "no change", text
        return (f"swap {text[a:b]!r} and {text[c:d]!r}",
                text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:])
    if kind == "keyword":
        words = [(s, e) for _, s, e in tokens if text[s:e] in WORDS]
        start, end = pick(words)
        new = pick(WORDS)
        return f"keyword {text[start:end]!r} → {new!r}", put(start, end, new)
    if kind in ("delete line", "duplicate line", "reindent"):
        lines = text.split("\n")
        n = draw(st.integers(0, len(lines) - 1))
        if kind == "delete line":
            return f"delete line {n + 1}", "\n".join(lines[:n] + lines[n + 1:])
        if kind == "duplicate line":
            return f"duplicate line {n + 1}", "\n".join(lines[:n + 1] + lines[n:])
        indent = pick(INDENTS)
        return (f"indent line {n + 1} by {indent!r}",
                "\n".join(lines[:n] + [indent + lines[n].lstrip(" \t")] + lines[n + 1:]))
    if kind == "look-alike":
        spots = [k for _, s, e in tokens for k in range(s, e) if text[k] in LOOKALIKES]
        k = pick(spots)
        return f"look-alike for {text[k]!r} at {k}", put(k, k + 1, LOOKALIKES[text[k]])
    if kind == "invisible":
        _, start, end = pick(tokens)
        k = draw(st.integers(start, end))
        char = pick(INVISIBLE)
        return f"U+{ord(char):04X} at {k}", put(k, k, char)
    if kind == "use":  # a module, a policy (E107), an alias that clashes, no module at all
        target = pick(USES)
        lines = text.split("\n")
        n = draw(st.integers(0, len(lines) - 1))
        return f"use {target} at line {n + 1}", "\n".join(lines[:n] + [f"use {target}"] + lines[n:])
    if kind in ("operator", "number", "date"):
        among = {"operator": OPERATORS, "number": NUMBERS, "date": DATES}[kind]
        spots = [(s, e) for t, s, e in tokens
                 if (kind == "operator" and text[s:e] in OPERATORS)
                 or (kind == "number" and t == "NUMBER") or (kind == "date" and t == "DATE")]
        if not spots:
            return "no change", text
        start, end = pick(spots)
        new = pick(among)
        return f"{kind} {text[start:end]!r} → {new!r}", put(start, end, new)
    operands = [(s, e) for t, s, e in tokens if t in ("NAME", "NUMBER")]
    start, end = pick(operands)
    if kind == "nesting":
        depth = pick([40, 65, 130, 600, 3000])
        form = draw(st.integers(0, len(NESTINGS) - 1))
        return f"nest {text[start:end]!r} {depth} deep (form {form})", \
            put(start, end, NESTINGS[form](text[start:end], depth))
    numbers = [(s, e) for t, s, e in tokens if t == "NUMBER"] or operands
    start, end = pick(numbers)
    new = pick(HUGE)
    return f"huge literal for {text[start:end]!r}", put(start, end, new)


# ------------------------------------------------------------------ the CLI, in-process

def legiste(*args: str, cwd: Path) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of `legiste ARGS…` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    consoles = [Console(file=f, width=1000, highlight=False, emoji=False, color_system=None,
                        soft_wrap=True) for f in (out, err)]
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(cli, "out", consoles[0]))
        stack.enter_context(mock.patch.object(cli, "err", consoles[1]))
        stack.enter_context(mock.patch.object(sys, "argv", ["legiste", *args]))
        stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            cli.run()
            code: Any = 0
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


LOCATION = re.compile(r"^  --> (?!<unknown>).+:\d+:\d+$")


def assert_sound(what: str, code: int, out: str, err: str) -> None:
    """No exit 3, no traceback, and every error or warning located."""
    text = out + err
    assert code in (0, 1), f"{what}: exit {code}\n{text[-3000:]}"
    assert "Traceback" not in text and "internal error" not in text, f"{what}:\n{text[-3000:]}"
    lines = err.split("\n")
    for n, line in enumerate(lines):
        if re.match(r"(error|warning)\[[EW]\d{3}\]", line):
            assert n + 1 < len(lines) and LOCATION.match(lines[n + 1]), \
                f"{what}: an unlocated diagnostic:\n{line}\n{lines[n + 1] if n + 1 < len(lines) else ''}"


_names = itertools.count()
OUTCOMES: collections.Counter[str] = collections.Counter()  # what the mutants reached


def run_mutant(path: Path, text: str, case: Example, folder: Path) -> None:
    """check, then eval and compile when it checks: each sound, the module importable."""
    root = "policies" if STDLIB not in path.parents else "stdlib"
    relative = path.relative_to(REPO_ROOT / "policies" if root == "policies" else STDLIB)
    (folder / "pyproject.toml").write_text(
        # the repository's policies too, so that a mutant can `use` one of them
        '[tool.legiste]\nmodules = ["policies", ' + json.dumps(str(REPO_ROOT / "policies")) + ']\n'
        f"sources = [{json.dumps(str(REPO_ROOT.parent / 'shared' / 'seeds'))}]\n", encoding="utf-8")
    mutant = folder / "policies" / relative
    mutant.parent.mkdir(parents=True, exist_ok=True)
    mutant.write_text(text, encoding="utf-8")
    name = str(Path("policies") / relative)
    code, out, err = legiste("check", name, cwd=folder)
    assert_sound("check", code, out, err)
    OUTCOMES["checked" if code == 0 else "refused"] += 1
    if code != 0:
        return
    data, on = case
    (folder / "case.json").write_text(json.dumps(data), encoding="utf-8")
    dated = ["--on", on] if on else []
    code, out, err = legiste("eval", name, "--input", "case.json", "--explain", "--json", *dated,
                             cwd=folder)
    assert_sound("eval", code, out, err)
    evaluated = json.loads(out) if code == 0 else _errors(err)
    OUTCOMES["evaluated" if code == 0 else "eval refused"] += 1
    code, out, err = legiste("compile", name, "--target", "python", "-o", "module.py", cwd=folder)
    assert_sound("compile", code, out, err)
    assert code == 0, f"compile refused what check accepted:\n{err[-3000:]}"
    module_name = f"fuzz_mutant_{next(_names)}"
    try:
        module = load_generated((folder / "module.py").read_text(encoding="utf-8"), folder, module_name)
        try:
            generated = module.explain(data, dt.date.fromisoformat(on) if on else None)
        except module.PolicyError as exc:
            generated = [f"{d['code']}: {d['message']}" for d in exc.diagnostics
                         if d["severity"] == "error"]
        assert generated == evaluated, "the generated module and the interpreter disagree"
    finally:
        sys.modules.pop(module_name, None)
    code, out, err = legiste("test", "policies", cwd=folder)
    assert_sound("test", code, out, err)


def _errors(err: str) -> list[str]:
    """`CODE: message` of each error printed."""
    return [m.group(1) + ": " + m.group(2) for m in re.finditer(r"^error\[(\w+)\]: (.*)$", err, re.M)]


CASES = {path: _example_case(path) for path in FILES}


def test_fuzz_rule_files_cover_every_policy_and_stdlib_file() -> None:
    assert len(FILES) >= 7 and all(TOKENS[p] for p in FILES)
    assert any(STDLIB in p.parents for p in FILES)
    # every policy with examples gives a case, so mutants are evaluated too
    assert all(CASES[p][0] for p in FILES if STDLIB not in p.parents)


def test_fuzz_rule_files_unchanged_files_go_through() -> None:
    for path in FILES:
        with tempfile.TemporaryDirectory() as folder:
            run_mutant(path, path.read_text(encoding="utf-8"), CASES[path], Path(folder))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_fuzz_rule_files_mutants(path: Path) -> None:
    @settings(max_examples=PER_FILE, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutant=mutants(path))
    def check_mutant(mutant: tuple[str, str]) -> None:
        what, text = mutant
        with tempfile.TemporaryDirectory() as folder:
            try:
                run_mutant(path, text, CASES[path], Path(folder))
            except AssertionError as exc:
                raise AssertionError(f"mutant of {path.name} ({what}): {exc}") from None

    check_mutant()
    if os.environ.get("FUZZ_STATS"):
        print(path.name, dict(OUTCOMES))


# ------------------------------------------------------------------ what the fuzz test found

def test_fuzz_found_example_value_refused_by_its_input_is_located(tmp_path: Path) -> None:
    """`given costs_paid = 0 EUR` with `costs_paid : money, at least 1 EUR` (a mutant of the
    tele-secretariat policy): `legiste test` printed E503 with no file:line:column."""
    policy = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"
    text = policy.read_text(encoding="utf-8").replace("money, at least 0 EUR", "money, at least 1 EUR")
    assert "at least 1 EUR" in text
    lines = text.split("\n")
    example = next(n for n, line in enumerate(lines, 1) if line.startswith('example "no costs paid'))
    run_mutant(policy, text, CASES[policy], tmp_path)  # sound, every error located
    (tmp_path / "policies" / "year.legis").write_text(
        'policy t.year\n\ninput\n  y : year  "y"\n\noutput z : year = y\n\n'
        'example "no year"\n  given y = 0\n  expect z = 0\n', encoding="utf-8")
    for name, line, message in [
            ("policies/be/brussels/telesecretariat.legis", example,
             "error[E503]: input 'costs_paid' is 0.00 EUR, below its minimum 1.00 EUR"),
            ("policies/year.legis", 8, "error[E501]: input 'y': 0 is not a year")]:
        code, out, err = legiste("test", name, cwd=tmp_path)
        assert code == 1
        assert_sound("test", code, out, err)
        assert message in err
        assert f"--> {name}:{line}:1" in err

"""The rule text shown in docs/language.md is real: every fenced block tagged `legis` parses,
and every such block that is a whole file (it starts with `policy` or `module`) passes
`check --strict` and its `example`s, as a policy file would.

Blocks without the `legis` tag are illustrations (they may elide with `…`) and are not read.
The blocks are compiled with the repository's configuration (module roots and sources path
of pyproject.toml), so a `§` quote in a complete block must be found in the legal texts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.tools.examples import run_examples
from legiste.dsl.diagnostics import DiagnosticError
from legiste.dsl.parser import parse_module
from helpers import REPO_ROOT

DOC = REPO_ROOT / "docs" / "language.md"
FENCE = re.compile(r"^```legis[ \t]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list[tuple[int, str]]:
    """(line of the block's first text line, text) of every `legis` block of the page."""
    text = DOC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def _first_word(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.split()[0]
    return ""


BLOCKS = _blocks()
WHOLE = [(line, text) for line, text in BLOCKS if _first_word(text) in ("policy", "module")]


def test_the_page_shows_whole_rule_files() -> None:
    """The page is not reduced to fragments: several complete, tested files are on it."""
    assert len(WHOLE) >= 1, "docs/language.md has no ```legis block that is a whole file"


@pytest.mark.parametrize(("line", "text"), BLOCKS, ids=[f"line{n}" for n, _ in BLOCKS])
def test_every_legis_block_parses(line: int, text: str) -> None:
    _, diagnostics = parse_module(text, f"docs/language.md:{line}")
    errors = [d for d in diagnostics if d.is_error]
    assert not errors, f"docs/language.md line {line}: " + "; ".join(d.message for d in errors)


@pytest.mark.parametrize(("line", "text"), WHOLE, ids=[f"line{n}" for n, _ in WHOLE])
def test_every_whole_file_checks_strictly_and_its_examples_pass(line: int, text: str) -> None:
    name = f"docs_language_line{line}.legis"
    try:
        policy = Policy.from_string(text, name=name, base=REPO_ROOT, strict=True)
    except DiagnosticError as exc:
        pytest.fail(f"docs/language.md line {line} does not check: "
                    + "; ".join(f"{d.code} {d.message}" for d in exc.diagnostics))
    warnings = [f"{d.code} {d.message}" for d in policy.warnings]
    assert not warnings, f"docs/language.md line {line}: warnings under --strict: {warnings}"
    results = run_examples(policy)
    if _first_word(text) == "policy":
        assert results, f"docs/language.md line {line}: a whole policy shows at least one example"
    failed = [r for r in results if not r.passed]
    assert not failed, f"docs/language.md line {line}: examples fail: {failed}"

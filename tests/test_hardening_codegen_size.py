"""Hardening (issue 10): generating Python for a long rule is linear, and the module imports.

Generating a 20,000-line `all of` took 34 s: every condition's explanation quoted its text
through `SourceRegistry.excerpt`, which cut the whole file into lines again each time
(quadratic). A `first of` of a few thousand lines checked and compiled, but its module did
not import (Python's compiler gives up on `v if c else …` nested that deep).

The work is measured by counting operations (every Python and builtin call, with cProfile)
at two sizes, never by a clock.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path
from typing import Any

from legiste.compiler.backends.python import generate
from legiste.compiler.backends.python.expressions import FLAT_FIRST_OF
from legiste.compiler.api import Policy
from legiste.dsl.diagnostics import DiagnosticError
from legiste.dsl.span import SourceFile
from helpers import compile_policy, load_generated

HEAD = 'policy t.size\n\ninput\n  x : integer  "x"\n  b : boolean  "b"\n\n'


def long_rules(n: int) -> str:
    """A policy whose four blocks (`all of`, `any of`, `count of`, `first of`) have n lines."""
    lines = ["output every = all of", *(f"  x > {i}" for i in range(n)),
             "output some = any of", *(f"  x = {i}" for i in range(n)),
             "output how_many = count of", *(f"  x > {i} or b" for i in range(n)),
             "output which : integer = first of", *(f"  {i} when x = {i}" for i in range(n)),
             "  -1 otherwise"]
    return HEAD + "\n".join(lines) + "\n"


def both(policy: Policy, module: Any, case: dict[str, Any]) -> tuple[Any, Any]:
    """The explained answer of the interpreter and of the generated module (or their errors)."""
    try:
        interpreted = policy.evaluate(case, explain=True).to_json()
    except DiagnosticError as exc:
        interpreted = {"error": [d.to_json() for d in exc.diagnostics]}
    try:
        generated = module.explain(case)
    except module.PolicyError as exc:
        generated = {"error": exc.diagnostics}
    return interpreted, generated


def calls(n: int) -> tuple[int, int]:
    """The number of calls made to parse and check `long_rules(n)`, then to generate its
    module."""
    profile = cProfile.Profile()
    profile.enable()
    policy = compile_policy(long_rules(n))
    profile.disable()
    checking = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    profile = cProfile.Profile()
    profile.enable()
    generate(policy.program)
    profile.disable()
    return checking, pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def test_hardening_codegen_size_work_grows_linearly() -> None:
    (check_small, small), (check_large, large) = calls(200), calls(800)
    # Four times the lines: linear work gives a ratio of about 4 (3.9 measured); the
    # quadratic excerpt gave 11.4.
    assert large / small < 6, (small, large)
    assert check_large / check_small < 6, (check_small, check_large)


def test_hardening_codegen_size_excerpt_cuts_each_file_once() -> None:
    # The registry became one SourceFile per text read (issue 9), cut into lines once.
    source = SourceFile("t/cut.legis", "a\nbc\r\nd")
    first = source.lines
    assert first == ("a", "bc", "d")
    assert source.lines is first  # kept, not cut again
    assert source.span(2, 1, 2, 3).source.lines is first  # its spans share the same lines
    assert SourceFile("t/cut.legis", "e").lines == ("e",)  # a new text of the file is cut anew


def test_hardening_codegen_size_long_first_of_imports(tmp_path: Path) -> None:
    n = 5000  # `v if c else …` 5,000 deep: RecursionError or MemoryError in compile()
    policy = compile_policy(long_rules(n))
    module = load_generated(generate(policy.program), tmp_path, "long_first_of")
    for x, b in [(-1, False), (0, True), (2500, False), (n - 1, True), (n, False)]:
        case = {"x": x, "b": b}
        outputs = module.evaluate(case)["outputs"]
        assert outputs == policy.evaluate(case).to_json()["outputs"]
        assert outputs["which"] == (x if 0 <= x < n else -1)


def test_hardening_codegen_size_flat_first_of_keeps_order_and_errors(tmp_path: Path) -> None:
    """A long `first of` tries its lines in order, stops at the first that applies, and
    fails (E403, E402) exactly where the interpreter does."""
    n = FLAT_FIRST_OF + 4
    lines = [f"  {i} when 10 / (x - {i}) < 0" for i in range(n)]  # x = i: division by zero
    text = HEAD + "output which : decimal = first of\n" + "\n".join(lines) + "\n  -1 otherwise\n"
    policy = compile_policy(text)
    module = load_generated(generate(policy.program), tmp_path, "flat_first_of")
    answers = {x: both(policy, module, {"x": x, "b": False}) for x in [-5, 0, 3, n - 1, n + 10]}
    for interpreted, generated in answers.values():
        assert interpreted == generated
    assert answers[-5][0]["outputs"] == {"which": "0"}  # 10 / (-5 - 0) < 0: the first line
    assert answers[n + 10][0]["outputs"] == {"which": "-1"}  # no line applies
    for x in (0, 3, n - 1):  # lines 0 … x - 1 do not apply, then 10 / (x - x) on line x
        assert answers[x][0]["error"][0]["code"] == "E402"
        assert answers[x][0]["error"][0]["location"]["line"] == 8 + x

"""No file outside the declared sources folders is ever read or shown (issue 10, security).

Each test builds a project of its own: a sources folder holding one legal text, a secret
file beside it (outside the sources path), and a policy that tries to reach the secret. The
secret's text must appear in no diagnostic and no `legiste coverage` line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from legiste.compiler.api import compile_file
from legiste.compiler.resolution.citations import source_name_problem

SECRET = "SECRET-PASSAGE the quick brown fox jumps over the lazy dog in the night"
LAW = "L’intervention couvre la moitié des frais réels.\n"


def _project(tmp_path: Path, source_file: str) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "law.txt").write_text(LAW, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.legiste]\nmodules = []\nsources = ["sources"]\n', encoding="utf-8")
    policy = tmp_path / "p.legis"
    policy.write_text(
        "policy t.p\n"
        f"  source law {json.dumps(source_file)}\n"
        "\n"
        "input\n"
        "  x : integer  \"x\"\n"
        "\n"
        "output y : integer = x\n"
        '  § "the quick brown fox jumps over the lazy cat"\n', encoding="utf-8")
    return policy


def _diagnostics_text(policy: Path) -> tuple[list[str], str]:
    _, diagnostics = compile_file(policy)
    shown = "\n".join(d.message + " " + " ".join(d.hints) for d in diagnostics)
    return [d.code for d in diagnostics], shown


@pytest.mark.parametrize("name", ["{secret}", "../secret.txt", "./../secret.txt",
                                  "sub/../../secret.txt"])
def test_source_path_outside_the_sources_folder_is_refused(tmp_path: Path, name: str) -> None:
    policy = _project(tmp_path, name.format(secret=tmp_path / "secret.txt"))
    codes, shown = _diagnostics_text(policy)
    assert "E303" in codes
    assert "SECRET-PASSAGE" not in shown and "lazy dog" not in shown


def test_source_symlink_leaving_the_sources_folder_is_refused(tmp_path: Path) -> None:
    policy = _project(tmp_path, "link.txt")
    os.symlink(tmp_path / "secret.txt", tmp_path / "sources" / "link.txt")
    codes, shown = _diagnostics_text(policy)
    assert "E303" in codes
    assert "SECRET-PASSAGE" not in shown and "lazy dog" not in shown


def test_source_symlink_inside_the_sources_folder_is_followed(tmp_path: Path) -> None:
    policy = _project(tmp_path, "alias.txt")
    os.symlink(tmp_path / "sources" / "law.txt", tmp_path / "sources" / "alias.txt")
    codes, _ = _diagnostics_text(policy)
    assert "E303" not in codes
    assert "E300" in codes  # found and read: the quote about a fox is not in the law


def test_source_in_a_subfolder_of_the_sources_folder_is_found(tmp_path: Path) -> None:
    policy = _project(tmp_path, "fr/law.txt")
    (tmp_path / "sources" / "fr").mkdir()
    (tmp_path / "sources" / "fr" / "law.txt").write_text(LAW, encoding="utf-8")
    codes, _ = _diagnostics_text(policy)
    assert "E303" not in codes and "E300" in codes


def test_source_name_longer_than_255_characters_is_refused(tmp_path: Path) -> None:
    policy = _project(tmp_path, "a" * 300 + ".txt")
    codes, shown = _diagnostics_text(policy)
    assert "E303" in codes and "304 characters long (at most 255)" in shown


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_source_text_not_utf8_is_a_located_error(tmp_path: Path, encoding: str) -> None:
    policy = _project(tmp_path, "law.txt")
    (tmp_path / "sources" / "law.txt").write_bytes("Réels à payer\n".encode(encoding))
    _, diagnostics = compile_file(policy)
    (bad,) = [d for d in diagnostics if d.code == "E304"]
    assert bad.span.line == 2 and "UTF-8" in bad.message


@pytest.mark.parametrize("name,problem", [
    ("/etc/passwd", "absolute"), ("../x.txt", ".."), ("a//b.txt", "empty"),
    ("a\\b.txt", "backslash"), ("C:x.txt", "colon"), ("a\nb", "control"), ("", "empty"),
    (" x.txt", "spaces"), ("x" * 256, "256 characters"),
])
def test_source_name_problem_names_the_problem(name: str, problem: str) -> None:
    assert problem in (source_name_problem(name) or "")


@pytest.mark.parametrize("name", ["000_084ce424bf47b386.txt", "fr/css/L521-1.txt", "a.b.c"])
def test_source_name_problem_accepts_names_in_the_folder(name: str) -> None:
    assert source_name_problem(name) is None


def test_coverage_never_prints_a_file_outside_the_sources(tmp_path: Path) -> None:
    policy = _project(tmp_path, "../secret.txt")
    result = subprocess.run([str(Path(sys.executable).parent / "legiste"), "coverage",
                             str(policy)], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert "E303" in result.stdout + result.stderr
    assert "SECRET-PASSAGE" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_closest_passage_in_a_large_text_is_found_through_the_word_index(tmp_path: Path) -> None:
    # A 1.5 MB text used to take 46 s (every window compared); the index looks at a few.
    # Not timed: this checks that the indexed search still finds the right passage.
    import random

    from legiste.compiler.resolution.citations import closest_passage, load_source

    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzé") for _ in range(rng.randint(2, 9)))
             for _ in range(3000)]
    lines = [" ".join(rng.choice(vocab) for _ in range(12)) for _ in range(20_000)]
    lines[13_000] = "L’intervention couvre la moitié des frais réels, avec un plafond maximum"
    text = tmp_path / "big.txt"
    text.write_text("\n".join(lines), encoding="utf-8")
    found = closest_passage("L'intervention couvre la moitie des frais reel, avec un plafond",
                            load_source(text))
    assert found == ("L’intervention couvre la moitié des frais réels, avec un plafond", 13_001)

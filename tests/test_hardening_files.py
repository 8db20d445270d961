"""Hardening (issue 10): files the CLI reads or writes that are not what they should be.

A corrupt verify record (`.legiste/verify.json`) is ignored with a warning W603; `compile -o`
onto a folder it cannot write or a full disk gives a located E602 and leaves no cut file;
`--on` takes YYYY-MM-DD only.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import pytest

from legiste.compiler.faces import cli
from legiste.compiler.tools import verify_batch
from legiste.dsl.diagnostics import DiagnosticError
from test_cli import POLICY, REPO_ROOT, _project, assert_no_traceback, legiste

GOOD = {"p": {"key": "k", "outcomes": [{"examples_run": 3, "skipped": 0, "boundary_cases": 1, "note": None}]}}


# ------------------------------------------------------------------ the verify record

def _read(path: Path) -> tuple[dict, list]:
    warnings: list = []
    return verify_batch._read(path, warnings), warnings


def test_hardening_verify_record_well_formed_is_read(tmp_path: Path) -> None:
    record = tmp_path / "verify.json"
    record.write_text(json.dumps(GOOD), encoding="utf-8")
    assert _read(record) == (GOOD, [])
    assert _read(tmp_path / "none.json") == ({}, [])  # no record yet: no warning


@pytest.mark.parametrize("text, why", [
    ('{"p": {"key": "k", "outcomes": [{"examples_run": Infinity, "skipped": 0}]}}', "Infinity"),
    ('{"p": {"key": "k", "outcomes": [{"examples_run": NaN, "skipped": 0}]}}', "NaN"),
    ('{"p": {"key": "k", "outcomes": [{"examples_run": 1e999, "skipped": 0}]}}', "not a count"),
    ('{"p": {"key": "k", "outcomes": [{"examples_run": 1, "skipped": 0, "note": 7}]}}', "not text"),
    ('{"p": {"key": "k", "outcomes": [{"examples_run": true, "skipped": 0}]}}', "not a count"),
    ('{"p": {"key": 1, "outcomes": []}}', "no key"),
    ("[1, 2]", "not a JSON object"),
    ("{not json", "not JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested"),
])
def test_hardening_verify_record_corrupt_is_ignored_with_a_warning(tmp_path: Path, text: str, why: str) -> None:
    record = tmp_path / "verify.json"
    record.write_text(text, encoding="utf-8")
    data, warnings = _read(record)
    assert data == {}
    assert [w.code for w in warnings] == ["W603"] and warnings[0].severity == "warning"
    assert why in warnings[0].message


def test_hardening_verify_record_symlink_to_dev_zero_is_not_followed(tmp_path: Path) -> None:
    record = tmp_path / "verify.json"
    record.symlink_to("/dev/zero")
    data, warnings = _read(record)
    assert data == {} and [w.code for w in warnings] == ["W603"]


def test_hardening_verify_record_fifo_does_not_hang(tmp_path: Path) -> None:
    record = tmp_path / "verify.json"
    os.mkfifo(record)
    outcome: list = []
    reader = threading.Thread(target=lambda: outcome.append(_read(record)), daemon=True)
    reader.start()
    reader.join(60)  # only a hang fails this
    assert outcome, "reading a FIFO as the verify record hung"
    data, warnings = outcome[0]
    assert data == {} and "not a regular file" in warnings[0].message


def test_hardening_verify_record_too_large_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_batch, "MAX_RECORD", 100)
    record = tmp_path / "verify.json"
    record.write_text(json.dumps(GOOD) + " " * 200, encoding="utf-8")
    data, warnings = _read(record)
    assert data == {} and "larger than 100 bytes" in warnings[0].message


def test_hardening_verify_record_full_disk_leaves_no_partial_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / ".legiste" / "verify.json"

    def full(self: Path, *args: object, **kwargs: object) -> None:
        self.open("w").close()  # what a full disk leaves: an empty file
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(Path, "write_text", full)
    verify_batch._write(record, GOOD)
    assert list(record.parent.iterdir()) == []


def test_hardening_verify_command_with_a_corrupt_record(tmp_path: Path) -> None:
    project = _project(tmp_path, (REPO_ROOT / POLICY).read_text(encoding="utf-8"))
    (project / ".legiste").mkdir()
    (project / ".legiste" / "verify.json").write_text('{"be.brussels.telesecretariat": {"key": "x", '
                                                      '"outcomes": [{"examples_run": Infinity}]}}')
    result = legiste("verify", "--max-examples", "5", "telesecretariat.legis", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "warning[W603]" in result.stderr and "Infinity" in result.stderr
    assert_no_traceback(result)
    # Written anew, and read without a warning the next time.
    again = legiste("verify", "--max-examples", "5", "telesecretariat.legis", cwd=project)
    assert again.returncode == 0 and "W603" not in again.stderr
    assert "unchanged since it last passed" in again.stdout


# ------------------------------------------------------------------ compile -o

def test_hardening_compile_output_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "module.py"
    result = legiste("compile", "--target", "python", POLICY, "-o", str(target))
    assert result.returncode == 1
    assert "error[E602]: cannot write" in result.stderr and f"--> {target}:1:1" in result.stderr
    assert_no_traceback(result)


def test_hardening_compile_output_onto_dev_full() -> None:
    result = legiste("compile", "--target", "json", POLICY, "-o", "/dev/full")
    assert result.returncode == 1
    assert "error[E602]" in result.stderr and "free some space" in result.stderr
    assert_no_traceback(result)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_hardening_compile_output_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               failing: str) -> None:
    target = tmp_path / "module.py"
    target.write_text("# the earlier module\n", encoding="utf-8")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC if failing == "fsync" else errno.EROFS, "simulated")
    monkeypatch.setattr(cli.os, failing, full)
    with pytest.raises(DiagnosticError) as caught:
        cli._write("x = 1\n" * 1000, str(target))
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E602" and diagnostic.span.file == str(target)
    assert target.read_text(encoding="utf-8") == "# the earlier module\n"
    assert [p.name for p in tmp_path.iterdir()] == ["module.py"]  # no temporary file left


def test_hardening_compile_output_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "ir.json"
    result = legiste("compile", "--target", "json", POLICY, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["ir.json"]


# ------------------------------------------------------------------ --on

@pytest.mark.parametrize("value", ["20240315", "2024-W11-5", "2024-075", "2024-03-15T00:00", "２０２４-03-15"])
def test_hardening_on_takes_yyyy_mm_dd_only(value: str) -> None:
    result = legiste("eval", POLICY, "--input", "policies/be/brussels/inputs/solo_gp_2023.json", "--on", value)
    assert result.returncode == 2
    assert "is not a date of the calendar written YYYY-MM-DD" in result.stderr
    assert_no_traceback(result)

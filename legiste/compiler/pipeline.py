"""The pipeline from a rule file to the IR: resolution (the file and the modules it uses),
then checking. What the embedding API, the CLI and the HTTP service compile with.

Consumes a path (or a policy's text) and a configuration; produces an `ir.Program` and
the diagnostics found on the way.
"""

from __future__ import annotations

from pathlib import Path

from legiste.compiler import ir
from legiste.compiler.checking.check import check_program
from legiste.compiler.resolution.config import Config, load_config
from legiste.compiler.resolution.modules import load_program
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError


def compile_file(path: str | Path, config: Config | None = None,
                 text: str | None = None) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Parse, resolve and check a policy and the modules it uses (`text`: the policy's
    text, when it is not read from `path`)."""
    config = config or load_config(path)
    loaded, diagnostics = load_program(path, config, text)
    if loaded is None or any(d.is_error for d in diagnostics):
        return None, diagnostics
    program, more = check_program(loaded, config)
    return program, diagnostics + more


def compiled_or_raise(path: str | Path, config: Config,
                      text: str | None = None) -> tuple[ir.Program, list[Diagnostic]]:
    """The program and its warnings; raise DiagnosticError with its errors if it has any."""
    program, diagnostics = compile_file(path, config, text)
    if program is None:
        raise DiagnosticError([d for d in diagnostics if d.is_error] or diagnostics)
    return program, [d for d in diagnostics if not d.is_error]

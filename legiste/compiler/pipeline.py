"""The pipeline from a rule file to the IR: resolution (the file and the modules it uses),
then checking. What the embedding API, the CLI, the HTTP service and tools that work on
files being written (a language server) compile with.

Consumes a path (or a policy's text) and a configuration; produces a `Compilation`: the
diagnostics, the symbol table of every file and the IR. A file with errors still gives its
diagnostics, its symbols and the IR of the rules that checked (`compile_source`);
`compile_file` (and so the CLI) keeps the all-or-nothing answer built on it.
"""

from __future__ import annotations
from pathlib import Path

import attrs
from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.checking.check import check_units
from legiste.compiler.checking.limits import check_rule_depth
from legiste.compiler.checking.symbols import Symbol, symbols_of
from legiste.compiler.checking.typecheck import ERROR
from legiste.compiler.ir.walk import walk
from legiste.compiler.resolution.config import Config, load_config
from legiste.compiler.resolution.modules import load_program
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError


@frozen
class Compilation:
    """What compiling a policy gave."""

    diagnostics: tuple[Diagnostic, ...]
    """The diagnostics `compile_file` gives (and the CLI prints), in the same order."""
    symbols: dict[str, Symbol]
    """The names the compiled file declares (empty if it could not be read or has no header)."""
    program: ir.Program | None
    """The whole program if there is no error; else the units with the rules that checked
    (None if the file could not be read or has no header)."""
    module_symbols: dict[str, dict[str, Symbol]] = attrs.field(factory=dict)
    """The symbols of every file of the program, by unit id (the compiled file's included)."""

    @property
    def ok(self) -> bool:
        """No error: `program` is complete."""
        return not any(d.is_error for d in self.diagnostics)


def _checked(definition: ir.Definition, errors: list[Diagnostic]) -> bool:
    """Whether a rule checked: no part of it is typed `error` and no error is reported
    on its lines (a wrong declared type leaves the expression well typed)."""
    if definition.type == ERROR or any(getattr(n, "type", None) == ERROR
                                       for n in walk(definition.expr)):
        return False
    span, end = definition.span, definition.expr.span
    last = max(span.end_line, end.end_line if end.file == span.file else span.end_line)
    return not any(d.span.file == span.file and span.line <= d.span.line <= last
                   for d in errors)


def compile_source(path: str | Path, config: Config | None = None,
                   text: str | None = None) -> Compilation:
    """Parse, resolve and check a policy and the modules it uses (`text`: the policy's
    text, when it is not read from `path`), keeping what could be built."""
    config = config or load_config(path)
    loaded, diagnostics = load_program(path, config, text)
    if loaded is None:
        return Compilation(tuple(diagnostics), {}, None)
    units, checkers, more = check_units(loaded, config)
    symbols = {name: symbols_of(checker) for name, checker in checkers.items()}
    loading_failed = any(d.is_error for d in diagnostics)
    if not loading_failed:
        # As compile_file: what does not resolve is reported alone, not its consequences.
        diagnostics += more
    errors = [d for d in [*diagnostics, *more] if d.is_error]
    if not errors:
        program = ir.Program(loaded.root, units)
        too_deep = check_rule_depth(program)
        if not too_deep:
            return Compilation(tuple(diagnostics), symbols[loaded.root], program, symbols)
        diagnostics += too_deep
        errors = too_deep
    # A rule that checked but reads one that did not is left out too (units and their
    # rules come dependencies first).
    kept: set[str] = set()
    partial = {}
    for name, unit in units.items():
        for d in unit.definitions:
            if _checked(d, errors) and all(n.id in kept for n in walk(d.expr)
                                           if isinstance(n, ir.Local)):
                kept.add(d.id)
        partial[name] = attrs.evolve(unit, definitions=tuple(
            d for d in unit.definitions if d.id in kept))
    return Compilation(tuple(diagnostics), symbols[loaded.root], ir.Program(loaded.root, partial),
                       symbols)


def compile_file(path: str | Path, config: Config | None = None,
                 text: str | None = None) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Parse, resolve and check a policy and the modules it uses (`text`: the policy's
    text, when it is not read from `path`): the whole program, or None if there is an error."""
    compilation = compile_source(path, config, text)
    return (compilation.program if compilation.ok else None), list(compilation.diagnostics)


def compiled_or_raise(path: str | Path, config: Config,
                      text: str | None = None) -> tuple[ir.Program, list[Diagnostic]]:
    """The program and its warnings; raise DiagnosticError with its errors if it has any."""
    program, diagnostics = compile_file(path, config, text)
    if program is None:
        raise DiagnosticError([d for d in diagnostics if d.is_error] or diagnostics)
    return program, [d for d in diagnostics if not d.is_error]

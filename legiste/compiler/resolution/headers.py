"""Resolution stage: a file's header (E106). The parser only parses: it keeps every
`policy` / `module` line it parsed (`ast.Module.headers`); here a file is refused that
has none, two, or one after another declaration.

Consumes one parsed `ast.Module` and whether its parse reported anything. Resolution
(modules.py) checks the header of each file it reads before anything else, as it
names the file by it (E102 when it is not the name `use` asked for): a file without
one goes no further, and, as for every error of loading, what the checker would say
of the rest is not reported.
"""

from __future__ import annotations

from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, error


def header_problems(module: ast.Module, parsed_cleanly: bool) -> list[Diagnostic]:
    """E106 for a second header, a header after another declaration, or none at all (only
    when the file parsed cleanly: a line that did not parse may be the header)."""
    problems = []
    first = module.header
    for header in module.headers:
        if header is not first:
            problems.append(error("E106", "a file has one `policy` or `module` header",
                                  header.span, hints=["split the file in two"]))
        elif any(_before(d.span, header.span) for d in module.declarations):
            problems.append(error("E106", "the header must be the first declaration of the file",
                                  header.span))
    if first is None and parsed_cleanly:
        assert module.source is not None
        problems.append(error("E106", "missing header: the file must start with `policy NAME` "
                              "or `module NAME`", module.source.span(1, 1, 1, 2)))
    return problems


def _before(a: object, b: object) -> bool:
    return (a.line, a.column) < (b.line, b.column)  # type: ignore[attr-defined]


__all__ = ["header_problems"]

"""Parser: `.legis` text → surface AST, or diagnostics an analyst can act on.

The file is cut into top-level declarations (a declaration starts on a line with no
indentation); each is parsed by the same LALR parser, so every declaration with a
syntax error is reported, not only the first. Lark's exceptions never escape. The
stages: dsl/lexer.py (tokens, indentation, comments), dsl/to_ast.py (tree → AST),
dsl/syntax_errors.py (what did not parse), dsl/comments.py (comments attached).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from lark.exceptions import UnexpectedInput, VisitError

from legiste.dsl import ast
from legiste.dsl.comments import attach
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.lexer import GRAMMAR, _IndentationError, _Indenter, lark_parser
from legiste.dsl.limits import check_limits
from legiste.dsl.slips import slash_dates, tab_indentation, tab_lines
from legiste.dsl.span import SourceFile
from legiste.dsl.syntax_errors import syntax_diagnostic
from legiste.dsl.to_ast import ASTError, ToAST

__all__ = ["GRAMMAR", "lark_parser", "parse_file", "parse_module", "_Indenter"]


# ------------------------------------------------------------------ cutting into declarations

_DECL_START = re.compile(r"[^\s#]")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) for each top-level declaration."""
    # Lines end at "\n" only, as for the lexer: str.splitlines() would also cut at
    # characters a quoted text may hold ("\r", "\x0c", "\x85", "\u2028"…).
    lines = [line for line in re.split(r"(?<=\n)", text) if line]
    start: int | None = None
    for i, line in enumerate(lines):
        if _DECL_START.match(line):
            if start is not None:
                yield start + 1, "".join(lines[start:i])
            start = i
    if start is not None:
        yield start + 1, "".join(lines[start:])


# ------------------------------------------------------------------ entry point


def parse_module(text: str, path: str) -> tuple[ast.Module, list[Diagnostic]]:
    """Parse one rule file. Returns the module (with the declarations that parsed)
    and the diagnostics of those that did not."""
    source = SourceFile(path, text)
    parser = lark_parser()
    indenter: _Indenter = parser.options.postlex
    declarations: list[ast.Declaration] = []
    diagnostics: list[Diagnostic] = []
    pending = _leading_comments(source)  # comment lines wait for the next declaration
    tabbed = tab_lines(source)
    tab = tab_indentation(source, tabbed)
    if tab is not None:
        diagnostics.append(tab)
    for first_line, chunk in _chunks(text):
        if not chunk.endswith("\n"):
            chunk += "\n"
        offset = first_line - 1
        dates = slash_dates(source, first_line, chunk)
        if dates:  # DD/MM/YYYY would parse as divisions: one message, not a unit mismatch
            diagnostics.extend(dates)
            continue
        indenter.comments = []
        try:
            tree = parser.parse(chunk)
            too_much = check_limits(tree, source, offset)
            if too_much:
                diagnostics.extend(too_much)
                continue
            decl = ToAST(source, offset).transform(tree)
            comments = [(ast.Comment(str(tok)[1:].removesuffix("\r"), span=source.span(
                tok.line + offset, tok.column, tok.end_line + offset, tok.end_column)), own)
                for tok, own in sorted(indenter.comments, key=lambda c: (c[0].line, c[0].column))]
            decl, pending = attach(decl, comments, pending)
            declarations.append(decl)
        except UnexpectedInput as exc:
            diagnostics.append(syntax_diagnostic(exc, chunk, source, offset))
        except _IndentationError as exc:
            line = exc.token.end_line + offset
            indent = len(str(exc.token).rsplit("\n", 1)[-1])
            diagnostics.append(error(
                "E003", "this line's indentation matches no enclosing block",
                source.span(line, 1, line, indent + 2),
                hints=["indent it exactly as the line it continues, or as the block it belongs to"]))
        except VisitError as exc:
            if isinstance(exc.orig_exc, ASTError):
                diagnostics.append(exc.orig_exc.diagnostic)
            else:
                raise
    if tabbed:  # what a tab's width made of a line is not a second mistake
        diagnostics = [d for d in diagnostics
                       if d.code not in ("E001", "E003") or d.span.line not in tabbed]
    # Where the header is, and whether there is one, is the checker's (checking/headers.py).
    headers = tuple(d for d in declarations if isinstance(d, ast.Header))
    body = tuple(d for d in declarations if not isinstance(d, ast.Header))
    return ast.Module(path, headers[0] if headers else None, body, comments=tuple(pending),
                      source=source, headers=headers), diagnostics


def _leading_comments(source: SourceFile) -> list[ast.Comment]:
    """The comment lines before the first declaration (which no chunk holds)."""
    comments = []
    for number, line in enumerate(source.lines, start=1):
        if _DECL_START.match(line):
            break
        column = line.find("#")
        if column >= 0 and not line[:column].strip():
            comments.append(ast.Comment(line[column + 1:].removesuffix("\r"), span=source.span(
                number, column + 1, number, len(line.removesuffix("\r")) + 1)))
    return comments


def parse_file(path: str | Path) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Read and parse a file; an unreadable file is a diagnostic, not an exception."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a BOM some editors add is not text
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        return None, [error("E601", f"cannot read {path}: {reason}")]
    return parse_module(text, str(path))

"""Diagnostics: the one type every stage uses to report a problem, and its rendering.

A diagnostic is data (severity, code, message, span, hints); rendering is separate,
so the CLI can print it with rich, the HTTP service can return it as JSON, and the
golden tests can compare its plain form.
"""

from __future__ import annotations

from typing import Iterable, Literal

from attrs import field, frozen
from rich.console import Console
from rich.text import Text

from legiste.compiler.runtime.conversions import _did_you_mean
from legiste.dsl.span import NO_SPAN, Span

Severity = Literal["error", "warning", "note"]

# Every code a user can meet, with a one-line title (docs/errors.md lists them).
CODES: dict[str, str] = {
    "E001": "syntax error",
    "E002": "unexpected character",
    "E003": "inconsistent indentation",
    "E004": "malformed declaration",
    "E005": "beyond the language's limits",
    "E006": "invisible direction control in a text",
    "E007": "indentation with a tab",
    "E010": "invalid date",
    "E011": "invalid literal",
    "E100": "unknown name",
    "E101": "duplicate definition",
    "E102": "module not found",
    "E103": "import cycle",
    "E104": "unknown type",
    "E105": "circular definition",
    "E106": "misplaced declaration",
    "E107": "a policy used as a module",
    "E200": "type mismatch",
    "E201": "unit mismatch",
    "E202": "bad function call",
    "E203": "`first of` can fall through",
    "E204": "bad example",
    "E210": "recursive function",
    "E240": "overlapping table rows",
    "E241": "a table leaves a gap",
    "E242": "a table cell or column that cannot be checked",
    "E243": "a table row that never applies",
    "E220": "optional input read where it may be absent",
    "E221": "misplaced presumption, optional input, `require` or `error`",
    "W222": "presumption without a quote",
    "E222": "presumption without a quote (strict mode)",
    "E300": "misquoted citation",
    "W301": "citation not verified: source text not found",
    "E301": "citation not verified: source text not found (strict mode)",
    "E302": "unknown source",
    "E303": "source file outside the sources path",
    "E304": "unreadable source text",
    "E400": "parameter has no value at that date",
    "E401": "index value not published",
    "E402": "division by zero",
    "E403": "no rule applies",
    "E404": "value out of range",
    "E405": "a case the law cannot assess (rule error)",
    "E406": "optional input not given",
    "E500": "missing input",
    "E501": "input of the wrong type",
    "E502": "unknown enumeration value",
    "E503": "input outside its declared range",
    "E504": "unknown input field",
    "E505": "unreadable input file",
    "E506": "invalid date",
    "E507": "input constraint not met",
    "E600": "example failed",
    "E601": "file not found",
    "E602": "output file cannot be written",
    "W603": "verify record ignored",
    # `legiste serve` (compiler/faces/serve.py): refusals of the HTTP service
    "E700": "unknown policy",
    "E701": "request body too large",
    "E702": "unknown endpoint or method",
    "E703": "invalid query parameter",
    "E704": "malformed HTTP request",
    "E705": "request timeout",
    "E706": "request body not JSON",
    "E707": "service busy",
    "E799": "internal error of the service",
}


@frozen
class Diagnostic:
    """One problem found in a rule file or an input, located by its span."""

    severity: Severity
    code: str
    message: str
    span: Span = NO_SPAN
    hints: tuple[str, ...] = field(default=(), converter=tuple)
    notes: tuple[str, ...] = field(default=(), converter=tuple)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, object]:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "location": self.span.to_json(), "hints": list(self.hints),
                "notes": list(self.notes)}


def error(code: str, message: str, span: Span = NO_SPAN, *, hints: Iterable[str] = (),
          notes: Iterable[str] = ()) -> Diagnostic:
    return Diagnostic("error", code, message, span, tuple(hints), tuple(notes))


def warning(code: str, message: str, span: Span = NO_SPAN, *, hints: Iterable[str] = (),
            notes: Iterable[str] = ()) -> Diagnostic:
    return Diagnostic("warning", code, message, span, tuple(hints), tuple(notes))


class DiagnosticError(Exception):
    """Raised by a stage that cannot go on; carries everything it found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.message for d in self.diagnostics))


def did_you_mean(name: str, candidates: Iterable[str]) -> list[str]:
    """Hints naming the closest candidates, as the author wrote them: the words of the
    runtime's `_did_you_mean` (compiler/runtime/conversions.py), which input validation
    and every generated module use too."""
    return _did_you_mean(name, candidates)


_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}


def render(diag: Diagnostic) -> Text:
    """Render a diagnostic as rich text: header, location, source excerpt, caret, hints."""
    out = Text()
    out.append(f"{diag.severity}[{diag.code}]", style=_STYLE[diag.severity])
    out.append(f": {diag.message}\n", style="bold")
    span = diag.span
    if span is NO_SPAN:
        for hint in diag.hints:
            out.append("  = hint: ", style="bold cyan").append(hint + "\n")
        for note in diag.notes:
            out.append("  = note: ", style="bold").append(note + "\n")
        return out
    out.append("  --> ", style="bold blue").append(f"{span}\n")
    source_line = span.source_line()
    if source_line is not None:
        gutter = " " * len(str(span.line))
        out.append(f"{gutter} |\n", style="bold blue")
        out.append(f"{span.line} | ", style="bold blue").append(source_line.rstrip() + "\n")
        start = max(span.column - 1, 0)
        end = span.end_column - 1 if span.end_line == span.line else len(source_line.rstrip())
        width = max(end - start, 1)
        out.append(f"{gutter} | ", style="bold blue")
        # Keep the tabs of the line, so the carets stand under the text on a terminal.
        pad = "".join(c if c == "\t" else " " for c in source_line[:start])
        out.append(pad + " " * (start - len(pad)) + "^" * width + "\n", style=_STYLE[diag.severity])
    for hint in diag.hints:
        out.append("  = hint: ", style="bold cyan").append(hint + "\n")
    for note in diag.notes:
        out.append("  = note: ", style="bold").append(note + "\n")
    return out


def render_plain(diags: Iterable[Diagnostic]) -> str:
    """The diagnostics as plain text (no colour), as the golden tests compare them."""
    return "".join(render(d).plain for d in diags)


def print_diagnostics(diags: Iterable[Diagnostic], console: Console | None = None) -> None:
    """Print to stderr: coloured on a terminal, plain otherwise (rich decides)."""
    console = console or Console(stderr=True, highlight=False, emoji=False)
    for diag in diags:
        # soft_wrap: long source lines stay on one line, so the caret stays under the span.
        console.print(render(diag), end="", soft_wrap=True)

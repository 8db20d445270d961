"""Source positions: where every node, diagnostic and trace entry comes from.

A `SourceFile` is the text a reader read (a rule file, a JSON case), made once by that
reader; the spans it hands out refer to it, so whoever shows a span (the diagnostic
renderer, an explanation) quotes the text that was compiled, and never reads a file
again.
"""

from __future__ import annotations

from attrs import field, frozen


def _lines(text: str) -> tuple[str, ...]:
    """The lines of a text as the parser numbers them: cut at "\n" only (not at the
    other characters str.splitlines() cuts at, which a quoted text may hold)."""
    return tuple(line.removesuffix("\r") for line in text.split("\n"))


@frozen
class SourceFile:
    """One text read by the compiler: its path (as diagnostics name it), its text and
    its line index."""

    path: str
    text: str = field(repr=False)
    lines: tuple[str, ...] = field(init=False, repr=False, eq=False)

    @lines.default
    def _index(self) -> tuple[str, ...]:
        return _lines(self.text)

    def line(self, number: int) -> str | None:
        """The text of a line (1-based), without its line break."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else None

    def span(self, line: int, column: int, end_line: int, end_column: int) -> "Span":
        """A span of this file."""
        return Span(self.path, line, column, end_line, end_column, source=self)


@frozen
class Span:
    """A region of a source file (1-based lines and columns, end exclusive), with the
    text it was read from when there is one (not part of equality)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    source: SourceFile | None = field(default=None, eq=False, repr=False, kw_only=True)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "end_line": self.end_line, "end_column": self.end_column}

    def source_line(self) -> str | None:
        """The text of the span's first line, when its source is known."""
        return self.source.line(self.line) if self.source is not None else None

    def excerpt(self) -> str:
        """The text the span covers, on one line (for explanations)."""
        if self.source is None or self.line < 1:
            return ""
        lines = list(self.source.lines[self.line - 1:self.end_line])
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][self.column - 1:self.end_column - 1]
        lines[0] = lines[0][self.column - 1:]
        lines[-1] = lines[-1][:self.end_column - 1]
        # A span that ends at the start of the next line (a rule's line break) adds no text.
        return " ".join(part.strip() for part in lines if part.strip())


NO_SPAN = Span("<unknown>", 1, 1, 1, 1)

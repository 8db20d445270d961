"""Source positions: where every node, diagnostic and trace entry comes from."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen


@frozen
class Span:
    """A region of a source file (1-based lines and columns, end exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "end_line": self.end_line, "end_column": self.end_column}


NO_SPAN = Span("<unknown>", 1, 1, 1, 1)


def _lines(text: str) -> list[str]:
    """The lines of a rule file as the parser numbers them: cut at "\n" only (not at the
    other characters str.splitlines() cuts at, which a quoted text may hold)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


class SourceRegistry:
    """Texts of the files a compilation read, so diagnostics can quote them."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        # Each file cut into lines once: an excerpt per condition of a 20,000-line
        # `all of` must not split the whole file each time (that was quadratic).
        self._lines: dict[str, list[str]] = {}

    def add(self, name: str, text: str) -> None:
        self._texts[name] = text
        self._lines.pop(name, None)

    def lines(self, name: str) -> list[str] | None:
        """The lines of a file as the parser numbers them, cut once per text."""
        if name not in self._lines:
            text = self.text(name)
            if text is None:
                return None
            self._lines[name] = _lines(text)
        return self._lines[name]

    def text(self, name: str) -> str | None:
        if name not in self._texts:
            try:
                self._texts[name] = Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
        return self._texts[name]

    def line(self, name: str, number: int) -> str | None:
        lines = self.lines(name)
        if lines is None:
            return None
        return lines[number - 1] if 0 < number <= len(lines) else None


    def excerpt(self, span: Span) -> str:
        """The text a span covers, on one line (for explanations)."""
        every = self.lines(span.file)
        if every is None or span.line < 1:
            return ""
        lines = every[span.line - 1:span.end_line]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][span.column - 1:span.end_column - 1]
        lines[0] = lines[0][span.column - 1:]
        lines[-1] = lines[-1][:span.end_column - 1]
        # A span that ends at the start of the next line (a rule's line break) adds no text.
        return " ".join(part.strip() for part in lines if part.strip())


SOURCES = SourceRegistry()

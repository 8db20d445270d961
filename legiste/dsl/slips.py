"""Front end: the usual slips of an author used to another notation, recognised by name.

A misspelt keyword, a thousands separator (`20 878 EUR`), a date written day/month/year
(`02/09/2024`, which would parse as two divisions), `==`, `&&`, a chained comparison
(`a > b >= c`), a line indented with a tab, a citation indented under a dated value.
Each gets a message or a hint saying what to write instead. Consumed by dsl/parser.py
(the scans of a file's text) and dsl/syntax_errors.py (the hints of a syntax error).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from legiste.dsl import keywords
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import SourceFile

_COMPARISONS = {"=", "!=", "<", "<=", ">", ">=", "≠", "≤", "≥"}
# A quoted text or a comment: what a scan of the code skips.
_NOT_CODE = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')
_SLASH_DATE = re.compile(r"(?<![\w.])(\d{1,2})/(\d{1,2})/(\d{4})(?![\w.])")


def _code_only(line: str) -> str:
    """The line with its quoted texts and comment blanked (same columns)."""
    return _NOT_CODE.sub(lambda m: " " * len(m.group()), line)


def tab_lines(source: SourceFile) -> list[int]:
    """The lines of code whose indentation holds a tab."""
    return [n for n, text in enumerate(source.lines, start=1)
            if text.strip() and not text.lstrip().startswith("#")
            and "\t" in text[:len(text) - len(text.lstrip())]]


def tab_indentation(source: SourceFile, lines: list[int]) -> Diagnostic | None:
    """E007 at the first of the `lines` indented with a tab (with the count of the
    others): a tab's width is a guess, and the block structure must not be."""
    if not lines:
        return None
    first = lines[0]
    column = source.lines[first - 1].index("\t") + 1
    notes = [f"{len(lines) - 1} other line(s) too: " + ", ".join(map(str, lines[1:6]))
             + (", …" if len(lines) > 6 else "")] if len(lines) > 1 else []
    return error("E007", f"line {first} starts with a tab",
                 source.span(first, column, first, column + 1),
                 hints=["indent with spaces (two per level): a tab's width differs between "
                        "editors, and the indentation decides which block a line belongs to"],
                 notes=notes)


def slash_dates(source: SourceFile, first_line: int, chunk: str) -> list[Diagnostic]:
    """E011 for each `DD/MM/YYYY` in the code of a declaration (it would be read as two
    divisions of numbers, and compared with a date as a unit mismatch)."""
    found = []
    for number, line in enumerate(chunk.split("\n"), start=first_line):
        for match in _SLASH_DATE.finditer(_code_only(line)):
            day, month, year = (int(g) for g in match.groups())
            try:
                written = dt.date(year, month, day).isoformat()
            except ValueError:
                written = f"{year:04d}-{month:02d}-{day:02d}"
            found.append(error(
                "E011", f"{match.group()} is not a date in Légiste (it reads as a division)",
                source.span(number, match.start() + 1, number, match.end() + 1),
                hints=[f"dates are written {written} (year-month-day)"]))
    return found


def misplaced_citation(text: str, pos: int) -> int | None:
    """Where the citation stands (an offset in `text`) when the unexpected indented line
    at `pos` is a § under a dated value (`from DATE: VALUE`)."""
    rest = text[pos:]
    section = pos + len(rest) - len(rest.lstrip(" \t\r\n"))
    if not text.startswith("§", section):
        return None
    before = text[:pos].rstrip(" \t\r\n").rsplit("\n", 1)[-1].lstrip()
    if before.startswith(keywords.KEYWORDS[keywords.DEFAULT_LANGUAGE]["from"] + " "):
        return section
    return None


def citation_hints(text: str, section: int) -> list[str]:
    """What to write instead of a § indented under the dated value above it."""
    line = text[:section].rstrip(" \t\r\n").rsplit("\n", 1)[-1].strip()
    line = _NOT_CODE.sub(lambda m: m.group() if m.group().startswith('"') else "", line).rstrip()
    return [f'a dated value\'s § goes on its `from` line: {line} § "…"',
            "a § for the whole parameter stands at the indentation of its `from` lines"]


def token_hints(token_type: str, value: str, text: str, pos: int,
                expected_words: list[str]) -> list[str]:
    """Hints for an unexpected token: `value` met at `pos` of the declaration `text`,
    where the parser expected one of `expected_words` (keywords and symbols)."""
    before = text[:pos]
    if token_type == "NAME":
        close = difflib.get_close_matches(value, expected_words, n=1, cutoff=0.75)
        if close:
            return [f"did you mean `{close[0]}`?"]
    if token_type == "NUMBER" and re.search(r"\d[ \u00a0\u202f]$", before) and re.fullmatch(r"\d{3}", value):
        number = re.search(r"(\d+(?:[ \u00a0\u202f]\d{3})*)[ \u00a0\u202f]$", before)
        more = re.match(r"(?:[ \u00a0\u202f]\d{3})*(?!\d)", text[pos + len(value):])
        grouped = (number.group(1) if number else "") + " " + value + (more.group() if more else "")
        grouped = grouped.replace("\u00a0", " ").replace("\u202f", " ")
        return ["no thousands separator in numbers: write "
                f"{grouped.replace(' ', '')} (not {grouped})"]
    if value == "|":  # a token of decision tables' columns, nowhere an operator
        return ["write `or`" + (" instead of `||`" if text[pos + 1:pos + 2] == "|" else "")]
    if value == "=" and before.endswith("="):
        return ["equality is written with one `=`: write `a = b`"]
    if value in _COMPARISONS:
        line = _code_only(before.rsplit("\n", 1)[-1])
        if any(op in line for op in _COMPARISONS):
            return ["comparisons do not chain: write `b between a and c`, or two comparisons "
                    "joined by `and` (`a > b and b >= c`)"]
    return []


def character_hints(char: str, text: str, pos: int) -> list[str]:
    """Hints for a character no token starts with (`&&`, `||`, `!`)."""
    following = text[pos + 1:pos + 2]
    if char in "\u00a0\u202f\u2009" and text[pos - 1:pos].isdigit() and following.isdigit():
        number = re.match(r"[\d\u00a0\u202f\u2009 ]*\d", text[pos + 1:])
        start = re.search(r"\d+$", text[:pos])
        digits = re.sub(r"\D", "", (start.group() if start else "") + (number.group() if number else ""))
        return [f"no thousands separator in numbers: write {digits}"]
    if char == "&":
        return ["write `and`" + (" instead of `&&`" if following == "&" else "")]
    if char == "|":
        return ["write `or`" + (" instead of `||`" if following == "|" else "")]
    if char == "!" and following != "=":
        return ["write `not`"]
    return []

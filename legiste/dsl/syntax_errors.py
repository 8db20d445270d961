"""Syntax errors: Lark's exceptions → diagnostics an analyst can act on.

What was found and what the grammar expected there, in words (never a terminal's
internal name), with a hint for the usual slips (a comma for a decimal point, a quote
that does not end, a look-alike letter). Consumed by dsl/parser.py.
"""

from __future__ import annotations

import unicodedata

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from legiste.dsl import keywords
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.lexer import lark_parser
from legiste.dsl.limits import BIDI_CONTROLS
from legiste.dsl.slips import character_hints, citation_hints, misplaced_citation, token_hints
from legiste.dsl.span import SourceFile

_TOKEN_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": 'a quoted text "…"',
    "DATE": "a date (YYYY-MM-DD)", "_NL": "the end of the line",
    "_INDENT": "an indented line", "_DEDENT": "the end of the indented block",
    "$END": "the end of the declaration", "MINUS": "'-'", "LPAR": "'('", "RPAR": "')'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "EQUAL": "'='",
}

_DECLARATION_WORDS = ("policy", "module", "use", "input", "parameter", "series", "enum",
                      "record", "define", "output", "invariant", "example", "require")

_EXPRESSION_STARTS = {"NAME", "NUMBER", "DATE", "STRING", "LPAR", "LSQB"}


def _describe_terminal(name: str) -> str:
    if name in _TOKEN_WORDS:
        return _TOKEN_WORDS[name]
    for term in lark_parser().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"'{term.pattern.value}'"
    return name.lower()


def _describe_token(token: Token) -> str:
    """The token that was found, as it reads after the word "unexpected"."""
    if token.type == "_NL":
        return "end of the line"
    if token.type == "$END":
        return "end of the declaration"
    if token.type == "_INDENT":
        return "indentation"
    if token.type == "_DEDENT":
        return "end of an indented block"
    return f"'{token.value}'"


_OPERATORS = {"+", "-", "*", "/", "×", "=", "!=", "<", "<=", ">", ">=", "≠", "≤", "≥",
              *keywords.operator_words()}
_UNITS = set(keywords.unit_words())
_ENDINGS = {"_NL", "$END", "_DEDENT"}


def _expected_words(expected: set[str]) -> str:
    words: list[str] = []
    if _EXPRESSION_STARTS <= expected:
        words.append("an expression")
        expected = expected - _EXPRESSION_STARTS - {"MINUS", "LBRACE"}
        expected = {e for e in expected if _describe_terminal(e).strip("'") not in
                    {"not", "if", "all", "any", "count", "at", "true", "false",
                     "error"}}
    for group, word in ((_OPERATORS, "an operator"), (_UNITS, "a unit")):
        members = {e for e in expected if _describe_terminal(e).strip("'") in group}
        if len(members) >= 3:
            words.append(word)
            expected = expected - members
    words += sorted(_describe_terminal(e) for e in expected - _ENDINGS)
    words += sorted(_describe_terminal(e) for e in expected & _ENDINGS)
    if len(words) > 8:
        words = words[:8] + ["…"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _acceptable(exc: UnexpectedToken) -> set[str]:
    """The terminals the parser would really accept where it failed. The LALR table's
    `expected` is wider (merged states list tokens a later reduction would reject)."""
    try:
        accepted = set(exc.interactive_parser.accepts())  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - fall back to the table's set
        accepted = set()
    return accepted or set(exc.expected)


def syntax_diagnostic(exc: UnexpectedInput, text: str, source: SourceFile,
                      offset: int) -> Diagnostic:
    """The diagnostic of a declaration that does not parse (`offset`: its first line - 1)."""
    line = (exc.line if exc.line and exc.line > 0 else 1) + offset
    column = exc.column if exc.column and exc.column > 0 else 1
    hints: list[str] = []
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        span = source.span(line, column, line, column + 1)
        if char == "'":
            hints.append('texts and quotes are written between double quotes: "…"')
        elif char == "\t":
            hints.append("indent with spaces")
        elif char == '"':
            hints.append("a quoted text must end on the same line; write \\\" for a quote inside it")
        elif char.isdigit():
            hints.append(f"{char!r} is {unicodedata.name(char, 'a digit')}: write digits 0-9")
        elif char.isalpha():
            hints.append(f"{char!r} is {unicodedata.name(char, 'a letter')}, which may look like a "
                         "Latin letter: names are written in Latin letters (a-z, accents allowed)")
        elif char in BIDI_CONTROLS:
            hints.append(f"U+{ord(char):04X} is an invisible direction control: delete it")
        else:
            hints += character_hints(char, text, exc.pos_in_stream)
        return error("E002", f"unexpected character {char!r}", span, hints=hints)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        width = max(len(str(token.value)), 1) if token.type not in ("_NL", "_INDENT", "_DEDENT", "$END") else 1
        span = source.span(line, column, line, column + width)
        expected = _acceptable(exc)
        if token.type == "_INDENT":
            section = misplaced_citation(text, exc.pos_in_stream or 0)
            if section is not None:
                here = text[:section].count("\n") + 1 + offset
                col = section - text[:section].rfind("\n")
                return error("E001", "unexpected indentation: a citation indented under a dated value",
                             source.span(here, col, here, col + 1), hints=citation_hints(text, section))
            return error("E001", "unexpected indentation", span,
                         hints=["indent a line only when it belongs to the block of the line above "
                                "(an `all of` item, an `unless`, a citation)"])
        if token.type == "COMMA" and exc.pos_in_stream and 0 < exc.pos_in_stream < len(text) - 1 \
                and text[exc.pos_in_stream - 1].isdigit() and text[exc.pos_in_stream + 1].isdigit():
            hints.append("decimals are written with a point: 4555.10, not 4555,10")
        keyword_words = [w for w in (_describe_terminal(e).strip("'") for e in expected) if w.isalpha()]
        at_start = line == offset + 1 and column == 1
        hints += token_hints(token.type, str(token.value), text, exc.pos_in_stream or 0,
                             keyword_words + (list(_DECLARATION_WORDS) if at_start else []))
        if at_start and not expected & {"NAME", "NUMBER"}:
            hints.append("a declaration starts with policy, module, use, input, parameter, "
                         "series, enum, record, define, output, invariant or example")
        message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected)}"
        return error("E001", message, span, hints=hints)
    if isinstance(exc, UnexpectedEOF):
        span = source.span(line, column, line, column + 1)
        return error("E001", f"the declaration ends too early; expected "
                     f"{_expected_words(set(exc.expected))}", span)
    return error("E001", "syntax error", source.span(line, column, line, column + 1))

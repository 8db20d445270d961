"""Parser: `.legis` text → surface AST, or diagnostics an analyst can act on.

The file is cut into top-level declarations (a declaration starts on a line with no
indentation); each is parsed by the same LALR parser, so every declaration with a
syntax error is reported, not only the first. Lark's exceptions are translated here
and never escape.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (UnexpectedCharacters, UnexpectedEOF, UnexpectedInput,
                             UnexpectedToken, VisitError)
from lark.indenter import DedentError, Indenter

from legiste.dsl import ast, keywords
from legiste.dsl.comments import attach
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.limits import BIDI_CONTROLS, check_limits
from legiste.dsl.span import SourceFile, Span

GRAMMAR = Path(__file__).with_name("grammar.lark")


class _IndentationError(Exception):
    def __init__(self, token: Token):
        self.token = token


class _Indenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RSQB", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def __init__(self) -> None:
        super().__init__()
        # (token, own line) for each comment of the text being parsed (parse_module resets it).
        self.comments: list[tuple[Token, bool]] = []

    def on_comment(self, token: Token) -> Token:
        """The lexer's callback for COMMENT, which only follows code on its line."""
        self.comments.append((token, False))
        return token

    def handle_NL(self, token: Token) -> Iterator[Token]:
        # A newline token spans the comment lines after it: each is a comment of its own line.
        for match in _COMMENT_LINE.finditer(str(token)):
            before = str(token)[:match.start()]
            line = token.line + before.count("\n")
            column = match.start() - before.rfind("\n")
            self.comments.append((Token("COMMENT", match.group(), line=line, column=column,
                                        end_line=line, end_column=column + len(match.group())),
                                  True))
        try:
            yield from super().handle_NL(token)
        except DedentError:
            raise _IndentationError(token) from None


_COMMENT_LINE = re.compile(r"#[^\n]*")


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    """The LALR parser, built once per process (and cached on disk by Lark)."""
    grammar = GRAMMAR.read_text(encoding="utf-8")
    # The grammar spells keywords inline (Lark needs literals): refuse to drift from the table.
    drift = keywords.check_grammar(grammar)
    if drift:
        raise RuntimeError("grammar.lark and dsl/keywords.py disagree: " + "; ".join(drift))
    indenter = _Indenter()
    return Lark(grammar, parser="lalr", postlex=indenter,
                lexer_callbacks={"COMMENT": indenter.on_comment},
                propagate_positions=True, maybe_placeholders=True, cache=True)


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


# ------------------------------------------------------------------ error translation

_TOKEN_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": 'a quoted text "…"',
    "DATE": "a date (YYYY-MM-DD)", "_NL": "the end of the line",
    "_INDENT": "an indented line", "_DEDENT": "the end of the indented block",
    "$END": "the end of the declaration", "MINUS": "'-'", "LPAR": "'('", "RPAR": "')'",
    "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "COLON": "':'", "EQUAL": "'='",
}

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
                    {"not", "if", "all", "any", "count", "at", "true", "false"}}
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


def _syntax_diagnostic(exc: UnexpectedInput, text: str, source: SourceFile,
                       offset: int) -> Diagnostic:
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
        return error("E002", f"unexpected character {char!r}", span, hints=hints)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        width = max(len(str(token.value)), 1) if token.type not in ("_NL", "_INDENT", "_DEDENT", "$END") else 1
        span = source.span(line, column, line, column + width)
        expected = _acceptable(exc)
        if token.type == "_INDENT":
            return error("E001", "unexpected indentation", span,
                         hints=["indent a line only when it belongs to the block of the line above "
                                "(an `all of` item, an `unless`, a citation)"])
        if token.type == "COMMA" and exc.pos_in_stream and 0 < exc.pos_in_stream < len(text) - 1 \
                and text[exc.pos_in_stream - 1].isdigit() and text[exc.pos_in_stream + 1].isdigit():
            hints.append("decimals are written with a point: 4555.10, not 4555,10")
        if line == offset + 1 and column == 1 and not expected & {"NAME", "NUMBER"}:
            hints.append("a declaration starts with policy, module, use, input, parameter, "
                         "series, enum, record, define, output, invariant or example")
        message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected)}"
        return error("E001", message, span, hints=hints)
    if isinstance(exc, UnexpectedEOF):
        span = source.span(line, column, line, column + 1)
        return error("E001", f"the declaration ends too early; expected "
                     f"{_expected_words(set(exc.expected))}", span)
    return error("E001", "syntax error", source.span(line, column, line, column + 1))


# ------------------------------------------------------------------ tree → AST


class _Note(str):
    pass


class _Line:
    def __init__(self, expr: ast.Expr, cites: tuple[ast.Cite, ...]):
        self.expr, self.cites = expr, cites


class _ASTError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


def _unquote(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", str(token)[1:-1])


@v_args(meta=True)
class _ToAST(Transformer):
    """Builds AST nodes; spans are shifted by the declaration's first line."""

    def __init__(self, source: SourceFile, line_offset: int):
        super().__init__()
        self.source, self.offset = source, line_offset

    # -- positions
    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return self.source.span(self.offset + 1, 1, self.offset + 1, 1)
        return self.source.span(meta.line + self.offset, meta.column,
                    meta.end_line + self.offset, meta.end_column)

    def _tok_span(self, tok: Token) -> Span:
        return self.source.span(tok.line + self.offset, tok.column,
                    tok.end_line + self.offset, tok.end_column)

    def _fail(self, code: str, message: str, span: Span, hints: tuple[str, ...] = ()) -> None:
        raise _ASTError(error(code, message, span, hints=hints))

    # -- shared pieces
    def start(self, meta, c):
        return c[-1]

    def dotted(self, meta, c):
        return ast.Name(tuple(str(t) for t in c), span=self._span(meta))

    def cite(self, meta, c):
        return ast.Cite(_unquote(c[0]), str(c[1]) if c[1] else None, span=self._span(meta))

    def cite_line(self, meta, c):
        return list(c)

    def note_line(self, meta, c):
        return _Note(_unquote(c[0]))

    def _split(self, items: list[Any]) -> tuple[tuple[ast.Cite, ...], tuple[str, ...], list[Any]]:
        cites: list[ast.Cite] = []
        notes: list[str] = []
        rest: list[Any] = []
        for item in items:
            if isinstance(item, list) and all(isinstance(x, ast.Cite) for x in item):
                cites.extend(item)
            elif isinstance(item, ast.Cite):
                cites.append(item)
            elif isinstance(item, _Note):
                notes.append(str(item))
            elif item is not None:
                rest.append(item)
        return tuple(cites), tuple(notes), rest

    # -- header
    def header_kind(self, meta, c):
        return str(c[0])

    def header(self, meta, c):
        kind, name, *items = c
        fields: dict[str, Any] = {"sources": [], "notes": []}
        for key, value in (i for i in items if i is not None):
            if key == "source":
                fields["sources"].append(value)
            elif key == "note":
                fields["notes"].append(value)
            else:
                fields[key] = value
        return ast.Header(kind, name, title=fields.get("title"), authority=fields.get("authority"),
                          url=fields.get("url"), sources=tuple(fields["sources"]),
                          as_of=fields.get("as_of"), notes=tuple(fields["notes"]),
                          span=self._span(meta))

    def h_title(self, meta, c):
        return ("title", _unquote(c[0]))

    def h_authority(self, meta, c):
        return ("authority", _unquote(c[0]))

    def h_url(self, meta, c):
        return ("url", _unquote(c[0]))

    def h_note(self, meta, c):
        return ("note", _unquote(c[0]))

    def h_as_of(self, meta, c):
        return ("as_of", str(c[0]))

    def h_source(self, meta, c):
        return ("source", ast.SourceDecl(str(c[0]), _unquote(c[1]) if c[1] else None,
                                         _unquote(c[2]) if c[2] else None, span=self._span(meta)))

    def use_decl(self, meta, c):
        return ast.Use(c[0], str(c[1]) if c[1] else None, span=self._span(meta))

    # -- inputs
    def simple_type(self, meta, c):
        return ast.TypeRef(c[0].text, span=self._span(meta))

    def list_type(self, meta, c):
        return ast.TypeRef("list", element=c[0], span=self._span(meta))

    def typed_field(self, meta, c):
        return c[0], tuple(c[1:])

    def enum_field(self, meta, c):
        members = tuple(str(t) for t in c)
        if len(set(members)) != len(members):
            self._fail("E101", "an enumeration lists the same value twice", self._span(meta))
        return ast.TypeRef("enum", members=members, span=self._span(meta)), ()

    def c_min(self, meta, c):
        return ast.Constraint("min", c[0], span=self._span(meta))

    def c_max(self, meta, c):
        return ast.Constraint("max", c[0], span=self._span(meta))

    def input_field(self, meta, c):
        name, (type_ref, constraints), description, *rest = c
        cites, _, _ = self._split(rest)
        return ast.InputField(str(name), type_ref, constraints,
                              _unquote(description) if description else None, cites,
                              span=self._tok_span(name))

    def record_decl(self, meta, c):
        name, description, *fields = c
        return ast.RecordDecl(str(name), tuple(fields), _unquote(description) if description else None,
                              span=self._tok_span(name))

    def input_block(self, meta, c):
        return ast.InputBlock(tuple(c), span=self._span(meta))

    # -- parameters and series
    def indexation(self, meta, c):
        return c[0]

    def dated_value(self, meta, c):
        start, end, value, index, *cites = c
        return ast.DatedValue(ast.DateLit(str(start), span=self._tok_span(start)),
                              ast.DateLit(str(end), span=self._tok_span(end)) if end else None,
                              value, index, tuple(cites), span=self._span(meta))

    def parameter(self, meta, c):
        name, type_ref, description, *items = c
        cites, notes, values = self._split(items)
        return ast.Parameter(str(name), type_ref, tuple(values),
                             _unquote(description) if description else None, cites, notes,
                             span=self._tok_span(name))

    def s_source(self, meta, c):
        return ("source", _unquote(c[0]), _unquote(c[1]) if c[1] else None)

    def s_period(self, meta, c):
        return ("period", str(c[0]), self._tok_span(c[0]))

    def signed_number(self, meta, c):
        return ("-" if c[0] else "") + str(c[1])

    def s_value(self, meta, c):
        year, month, value, *cites = c
        period = f"{year}-{month}" if month else str(year)
        return ast.SeriesValue(period, value, tuple(cites), span=self._span(meta))

    def series(self, meta, c):
        name, type_ref, description, *items = c
        cites, notes, rest = self._split(items)
        fields: dict[str, Any] = {}
        values = []
        for item in rest:
            if isinstance(item, ast.SeriesValue):
                values.append(item)
            elif item[0] == "source":
                fields["publisher"], fields["url"] = item[1], item[2]
            elif item[0] == "period":
                fields["period"] = item[1]
        return ast.Series(str(name), type_ref, tuple(values),
                          _unquote(description) if description else None, cites=cites,
                          notes=notes, span=self._tok_span(name), **fields)

    def enum_decl(self, meta, c):
        name, *rest = c
        members, description, cites = [], None, []
        for item in rest:
            if isinstance(item, Token) and item.type == "NAME":
                members.append(str(item))
            elif isinstance(item, Token) and item.type == "STRING":
                description = _unquote(item)
            elif isinstance(item, list):
                cites.extend(item)
        if len(set(members)) != len(members):
            self._fail("E101", "an enumeration lists the same value twice", self._span(meta))
        return ast.EnumDecl(str(name), tuple(members), description, tuple(cites),
                            span=self._tok_span(name))

    # -- rules
    def _definition(self, kind: str, meta, c):
        name, type_ref, (expr, cites, notes) = c
        return ast.Define(kind, str(name), type_ref, expr, cites, notes, span=self._tok_span(name))

    def define(self, meta, c):
        return self._definition("define", meta, c)

    def output(self, meta, c):
        return self._definition("output", meta, c)

    def body_inline(self, meta, c):
        expr, *rest = c
        cites, notes, _ = self._split(rest)
        return expr, cites, notes

    def body_block(self, meta, c):
        return c[0], (), ()

    def body_indented(self, meta, c):
        line, *rest = c
        cites, notes, _ = self._split(rest)
        if isinstance(line, _Line):
            return line.expr, line.cites + cites, notes
        return line, cites, notes

    def line_expr(self, meta, c):
        return _Line(c[0], tuple(c[1:]))

    def head_all(self, meta, c):
        return ("all", None)

    def head_any(self, meta, c):
        return ("any", None)

    def head_count(self, meta, c):
        return ("count", None)

    def head_first(self, meta, c):
        return ("first", None)

    def head_at_least(self, meta, c):
        return ("at_least", c[0])

    def block(self, meta, c):
        (kind, k), *items = c
        cites, _, rest = self._split(items)
        span = self._span(meta)
        if kind == "first":
            for item in rest:
                if not isinstance(item, ast.Branch):
                    self._fail("E004", "each line of `first of` needs `when CONDITION` or `otherwise`",
                               item.span, ("write: VALUE when CONDITION",))
            return ast.FirstOf(tuple(rest), cites, span=span)
        for item in rest:
            if isinstance(item, ast.Branch):
                self._fail("E004", f"`when`/`otherwise` lines belong in a `first of` block, "
                           f"not in `{kind.replace('_', ' ')} of`", item.span)
        return ast.Aggregate(kind, tuple(rest), None, k, cites, span=span)

    def item(self, meta, c):
        line, *rest = c
        cites, _, exceptions = self._split(rest)
        if isinstance(line, _Line):
            return ast.Item(line.expr, line.cites + cites, tuple(exceptions), span=self._span(meta))
        return ast.Item(line, cites, tuple(exceptions), span=self._span(meta))

    def branch(self, meta, c):
        value, cond, *rest = c
        cites, _, _ = self._split(rest)
        return ast.Branch(value, cond, cites, span=self._span(meta))

    def otherwise(self, meta, c):
        value, *rest = c
        cites, _, _ = self._split(rest)
        return ast.Branch(value, None, cites, span=self._span(meta))

    def exception(self, meta, c):
        cond, *cites = c
        return ast.Exception_(cond, tuple(cites), span=self._span(meta))

    # -- invariants and examples
    def inv_expr(self, meta, c):
        return ("expr", c[0], c[1])

    def direction(self, meta, c):
        return str(c[0])

    def inv_monotone(self, meta, c):
        direction, output, input_, guard = c
        return ("monotone", direction or "increasing", str(output), str(input_), guard)

    def invariant(self, meta, c):
        name, body, *rest = c
        cites, _, _ = self._split(rest)
        span = self._span(meta)
        if body[0] == "expr":
            return ast.Invariant(str(name) if name else None, "expr", expr=body[1], guard=body[2],
                                 cites=cites, span=span)
        _, direction, output, input_, guard = body
        return ast.Invariant(str(name) if name else None, "monotone", output=output, input=input_,
                             direction=direction, guard=guard, cites=cites, span=span)

    def assignment(self, meta, c):
        return ast.Assignment(str(c[0]), c[1], span=self._span(meta))

    def assignments(self, meta, c):
        return list(c)

    def ex_on(self, meta, c):
        return ("on", ast.DateLit(str(c[0]), span=self._tok_span(c[0])))

    def ex_given(self, meta, c):
        return ("given", [a for group in c for a in group])

    def ex_expect(self, meta, c):
        return ("expect", [a for group in c for a in group])

    def ex_expect_error(self, meta, c):
        return ("expect_error", _unquote(c[0]))

    def example(self, meta, c):
        name, extends, *items = c
        cites, notes, rest = self._split(items)
        fields: dict[str, Any] = {"given": [], "expect": []}
        for key, value in rest:
            if key in ("given", "expect"):
                fields[key].extend(value)
            else:
                fields[key] = value
        return ast.Example(_unquote(name), _unquote(extends) if extends else None,
                           on=fields.get("on"), given=tuple(fields["given"]),
                           expect=tuple(fields["expect"]), expect_error=fields.get("expect_error"),
                           cites=cites, notes=notes, span=self._span(meta))

    # -- expressions
    def if_expr(self, meta, c):
        return ast.If(c[0], c[1], c[2], span=self._span(meta))

    def _binary(self, op: str, meta, c):
        return ast.Binary(op, c[0], c[1], span=self._span(meta))

    def implies(self, meta, c):
        return self._binary("implies", meta, c)

    def or_(self, meta, c):
        return self._binary("or", meta, c)

    def and_(self, meta, c):
        return self._binary("and", meta, c)

    def not_(self, meta, c):
        return ast.Unary("not", c[0], span=self._span(meta))

    def comp_op(self, meta, c):
        return {"≠": "!=", "≤": "<=", "≥": ">="}.get(str(c[0]), str(c[0]))

    def add_op(self, meta, c):
        return str(c[0])

    def mul_op(self, meta, c):
        return "*" if str(c[0]) == "×" else str(c[0])

    def compare(self, meta, c):
        return ast.Binary(c[1], c[0], c[2], span=self._span(meta))

    def arith(self, meta, c):
        return ast.Binary(c[1], c[0], c[2], span=self._span(meta))

    def between(self, meta, c):
        return ast.Between(c[0], c[1], c[2], span=self._span(meta))

    def neg(self, meta, c):
        return ast.Unary("-", c[1], span=self._span(meta))

    def at(self, meta, c):
        return ast.At(c[0], c[1], span=self._span(meta))

    def unit(self, meta, c):
        return str(c[0])

    def number(self, meta, c):
        return ast.Number(str(c[0]), c[1], span=self._span(meta))

    def date(self, meta, c):
        return ast.DateLit(str(c[0]), span=self._span(meta))

    def text(self, meta, c):
        return ast.TextLit(_unquote(c[0]), span=self._span(meta))

    def true(self, meta, c):
        return ast.BoolLit(True, span=self._span(meta))

    def false(self, meta, c):
        return ast.BoolLit(False, span=self._span(meta))

    def ref(self, meta, c):
        return ast.Ref(c[0], span=self._span(meta))

    def call(self, meta, c):
        return ast.Call(c[0], tuple(a for a in c[1:] if a is not None), span=self._span(meta))

    def list(self, meta, c):
        return ast.ListExpr(tuple(a for a in c if a is not None), span=self._span(meta))

    def field_value(self, meta, c):
        return (str(c[0]), c[1], self._tok_span(c[0]))

    def record(self, meta, c):
        return ast.RecordLit(tuple((n, v) for n, v, _ in (x for x in c if x is not None)),
                             span=self._span(meta))

    def comprehension(self, meta, c):
        body, var, source, where = c
        return ast.Comprehension(body, str(var), source, where, span=self._span(meta))

    def _inline(self, kind: str, meta, over: ast.Expr, k: ast.Expr | None = None):
        if isinstance(over, ast.ListExpr):
            items = tuple(ast.Item(e, span=e.span) for e in over.items)
            return ast.Aggregate(kind, items, None, k, span=self._span(meta))
        return ast.Aggregate(kind, None, over, k, span=self._span(meta))

    def inline_all(self, meta, c):
        return self._inline("all", meta, c[0])

    def inline_any(self, meta, c):
        return self._inline("any", meta, c[0])

    def inline_count(self, meta, c):
        return self._inline("count", meta, c[0])

    def inline_at_least(self, meta, c):
        return self._inline("at_least", meta, c[1], c[0])


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
    for first_line, chunk in _chunks(text):
        if not chunk.endswith("\n"):
            chunk += "\n"
        offset = first_line - 1
        indenter.comments = []
        try:
            tree = parser.parse(chunk)
            too_much = check_limits(tree, source, offset)
            if too_much:
                diagnostics.extend(too_much)
                continue
            decl = _ToAST(source, offset).transform(tree)
            comments = [(ast.Comment(str(tok)[1:].removesuffix("\r"), span=source.span(
                tok.line + offset, tok.column, tok.end_line + offset, tok.end_column)), own)
                for tok, own in sorted(indenter.comments, key=lambda c: (c[0].line, c[0].column))]
            decl, pending = attach(decl, comments, pending)
            declarations.append(decl)
        except UnexpectedInput as exc:
            diagnostics.append(_syntax_diagnostic(exc, chunk, source, offset))
        except _IndentationError as exc:
            line = exc.token.end_line + offset
            indent = len(str(exc.token).rsplit("\n", 1)[-1])
            diagnostics.append(error(
                "E003", "this line's indentation matches no enclosing block",
                source.span(line, 1, line, indent + 2),
                hints=["indent it exactly as the line it continues, or as the block it belongs to"]))
        except VisitError as exc:
            if isinstance(exc.orig_exc, _ASTError):
                diagnostics.append(exc.orig_exc.diagnostic)
            else:
                raise
    header = None
    for i, decl in enumerate(declarations):
        if isinstance(decl, ast.Header):
            if header is not None:
                diagnostics.append(error("E106", "a file has one `policy` or `module` header",
                                         decl.span, hints=["split the file in two"]))
            elif i != 0:
                diagnostics.append(error("E106", "the header must be the first declaration of the file",
                                         decl.span))
            header = header or decl
    if header is None and not diagnostics:
        diagnostics.append(error("E106", "missing header: the file must start with `policy NAME` "
                                 "or `module NAME`", source.span(1, 1, 1, 2)))
    body = tuple(d for d in declarations if not isinstance(d, ast.Header))
    return ast.Module(path, header, body, comments=tuple(pending), source=source), diagnostics


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

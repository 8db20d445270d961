"""Tree → AST: Lark's parse tree of one declaration → surface AST nodes (dsl/ast.py).

Each transformer method is named after a grammar alias and builds its node with its
span, shifted by the declaration's first line. The AST keeps what was written, even
where it is wrong (`when` lines outside `first of`, an enumeration listing a value
twice): the checker reports those (compiler/checking/), so that the rest of the
declaration is still checked and a formatter or a language server still sees it. A
form the AST cannot hold is an `ASTError` carrying its diagnostic. Consumed by
dsl/parser.py.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from lark import Token, v_args

from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import SourceFile, Span
from legiste.dsl.to_ast_tables import TableToAST
from legiste.dsl.to_ast_refusals import Optional_, Presumption, RefusalsToAST

class _Note(str):
    pass


class _Line:
    def __init__(self, expr: ast.Expr, cites: tuple[ast.Cite, ...]):
        self.expr, self.cites = expr, cites


class ASTError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


def _unquote(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", str(token)[1:-1])


@v_args(meta=True)
class ToAST(TableToAST, RefusalsToAST):  # decision tables: dsl/to_ast_tables.py
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

    def _ident(self, tok: Token) -> ast.Ident:
        return ast.Ident(str(tok), self._tok_span(tok))

    def _tok_span(self, tok: Token) -> Span:
        return self.source.span(tok.line + self.offset, tok.column,
                    tok.end_line + self.offset, tok.end_column)

    def _fail(self, code: str, message: str, span: Span, hints: tuple[str, ...] = ()) -> None:
        raise ASTError(error(code, message, span, hints=hints))

    # -- shared pieces
    def start(self, meta, c):
        return c[-1]

    def dotted(self, meta, c):
        return ast.Name(tuple(self._ident(t) for t in c), span=self._span(meta))

    def cite(self, meta, c):
        return ast.Cite(_unquote(c[0]), self._ident(c[1]) if c[1] else None, span=self._span(meta))

    def cite_line(self, meta, c):
        # Recorded as written: a citation on a line of its own, not after the code.
        return [attrs.evolve(cite, own_line=True) for cite in c]

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
        return ("as_of", self._ident(c[0]))

    def h_source(self, meta, c):
        return ("source", ast.SourceDecl(self._ident(c[0]), _unquote(c[1]) if c[1] else None,
                                         _unquote(c[2]) if c[2] else None, span=self._span(meta)))

    def use_decl(self, meta, c):
        return ast.Use(c[0], self._ident(c[1]) if c[1] else None, span=self._span(meta))

    # -- inputs
    def simple_type(self, meta, c):
        return ast.TypeRef(c[0].text, span=self._span(meta))

    def list_type(self, meta, c):
        return ast.TypeRef("list", element=c[0], span=self._span(meta))

    def typed_field(self, meta, c):
        return c[0], tuple(c[1:])

    def enum_field(self, meta, c):
        members = tuple(self._ident(t) for t in c)
        return ast.TypeRef("enum", members=members, span=self._span(meta)), ()

    def c_min(self, meta, c):
        return ast.Constraint("min", c[0], span=self._span(meta))

    def c_max(self, meta, c):
        return ast.Constraint("max", c[0], span=self._span(meta))

    def input_field(self, meta, c):
        name, (type_ref, constraints), presumed, description, *rest = c
        cites, _, _ = self._split(rest)
        optional = any(isinstance(x, Optional_) for x in constraints)
        constraints = tuple(x for x in constraints if not isinstance(x, Optional_))
        return ast.InputField(self._ident(name), type_ref, constraints,
                              _unquote(description) if description else None, cites,
                              default=presumed.value if isinstance(presumed, Presumption) else None,
                              optional=optional, span=self._tok_span(name))

    def record_decl(self, meta, c):
        name, description, *items = c
        fields = tuple(i for i in items if isinstance(i, ast.InputField))
        defines = tuple(i for i in items if isinstance(i, ast.Define))
        return ast.RecordDecl(self._ident(name), fields, _unquote(description) if description else None,
                              span=self._tok_span(name), defines=defines)

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
        return ast.Parameter(self._ident(name), type_ref, tuple(values),
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
        return ast.Series(self._ident(name), type_ref, tuple(values),
                          _unquote(description) if description else None, cites=cites,
                          notes=notes, span=self._tok_span(name), **fields)

    def enum_decl(self, meta, c):
        name, *rest = c
        members, description, cites = [], None, []
        for item in rest:
            if isinstance(item, Token) and item.type == "NAME":
                members.append(self._ident(item))
            elif isinstance(item, Token) and item.type == "STRING":
                description = _unquote(item)
            elif isinstance(item, list):
                cites.extend(item)
        return ast.EnumDecl(self._ident(name), tuple(members), description, tuple(cites),
                            span=self._tok_span(name))

    # -- rules
    def _definition(self, kind: str, meta, c):
        name, type_ref, (expr, cites, notes) = c
        return ast.Define(kind, self._ident(name), type_ref, expr, cites, notes, span=self._tok_span(name))

    def define(self, meta, c):
        name, params, type_ref, body = c
        definition = self._definition("define", meta, [name, type_ref, body])
        return definition if params is None else attrs.evolve(definition, params=params)

    def fn_params(self, meta, c):
        return tuple(p for p in c if p is not None)

    def fn_param(self, meta, c):
        return ast.InputField(self._ident(c[0]), c[1], span=self._tok_span(c[0]))

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
        # Lines of the wrong form (an item in `first of`, `when` in `all of`) are kept as
        # written; the checker reports them (E004).
        if kind == "first":
            return ast.FirstOf(tuple(rest), cites, span=span)
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
        return ("monotone", direction or "increasing", self._ident(output), self._ident(input_),
                guard)

    def invariant(self, meta, c):
        name, body, *rest = c
        cites, _, _ = self._split(rest)
        span = self._span(meta)
        if body[0] == "expr":
            return ast.Invariant(self._ident(name) if name else None, "expr", expr=body[1], guard=body[2],
                                 cites=cites, span=span)
        _, direction, output, input_, guard = body
        return ast.Invariant(self._ident(name) if name else None, "monotone", output=output, input=input_,
                             direction=direction, guard=guard, cites=cites, span=span)

    def assignment(self, meta, c):
        return ast.Assignment(self._ident(c[0]), c[1], span=self._span(meta))

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

    # Operators are kept as written (`≤`, `×`): the Binary node holds the ASCII one.
    def comp_op(self, meta, c):
        return str(c[0])

    def add_op(self, meta, c):
        return str(c[0])

    def mul_op(self, meta, c):
        return str(c[0])

    def compare(self, meta, c):
        return self.arith(meta, c)

    def arith(self, meta, c):
        written = c[1]
        op = ast.ASCII_OPERATORS.get(written, written)
        return ast.Binary(op, c[0], c[2], span=self._span(meta),
                          written=written if written != op else None)

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
        return (self._ident(c[0]), c[1], self._tok_span(c[0]))

    def record(self, meta, c):
        return ast.RecordLit(tuple((n, v) for n, v, _ in (x for x in c if x is not None)),
                             span=self._span(meta))

    def comprehension(self, meta, c):
        body, var, source, where = c
        return ast.Comprehension(body, self._ident(var), source, where, span=self._span(meta))

    def _inline(self, kind: str, meta, over: ast.Expr, k: ast.Expr | None = None):
        if isinstance(over, ast.ListExpr):
            items = tuple(ast.Item(e, span=e.span) for e in over.items)
            return ast.Aggregate(kind, items, None, k, span=self._span(meta), inline=True)
        return ast.Aggregate(kind, None, over, k, span=self._span(meta))

    def inline_all(self, meta, c):
        return self._inline("all", meta, c[0])

    def inline_any(self, meta, c):
        return self._inline("any", meta, c[0])

    def inline_count(self, meta, c):
        return self._inline("count", meta, c[0])

    def inline_at_least(self, meta, c):
        return self._inline("at_least", meta, c[1], c[0])

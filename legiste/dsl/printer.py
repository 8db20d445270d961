"""Printer: surface AST → `.legis` text that parses back to an equal AST.

The inverse of `dsl/parser.py`, for a formatter, the docs and tests. Expressions get
only the parentheses the grammar's precedence needs (or all of them, with
`full=True`); declarations are laid out one item per line, citations after the line
they justify. Layout is the printer's own (two-space indentation, canonical order of
header items); what the author wrote is kept: names, literals as written, citations,
notes, and comments, each before or after the line of the node it is attached to (a
second comment after one line goes on a line of its own before it).
"""

from __future__ import annotations

from typing import Any, Iterable

from legiste.dsl import ast
from legiste.dsl.comments import walk
from legiste.dsl.printer_tables import TablePrinter

INDENT = "  "

# Binding strength of each form, from `if` (loosest) to atoms, as in dsl/grammar.lark.
IF, IMPLIES, OR, AND, NOT, COMPARISON, SUM, PRODUCT, UNARY, POSTFIX, ATOM = range(11)

COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
UNICODE_OPERATORS = {"!=": "≠", "<=": "≤", ">=": "≥", "*": "×"}
_HEADS = {"all": "all of", "any": "any of", "count": "count of"}


def quote(text: str) -> str:
    """A text as a Légiste string literal (only `\\` and `"` are escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def level(node: ast.Expr) -> int:
    """How tightly an expression binds (one of IF … ATOM)."""
    if isinstance(node, (ast.If, ast.GivenOr)):
        return IF  # `x otherwise V` binds looser than `implies` (see ExprPrinter.given_or)
    if isinstance(node, ast.IsGiven):
        return COMPARISON
    if isinstance(node, ast.Binary):
        if node.op == "implies":
            return IMPLIES
        if node.op in ("or", "and"):
            return OR if node.op == "or" else AND
        if node.op in COMPARISONS:
            return COMPARISON
        return SUM if node.op in ("+", "-") else PRODUCT
    if isinstance(node, ast.Between):
        return COMPARISON
    if isinstance(node, ast.Unary):
        return NOT if node.op == "not" else UNARY
    if isinstance(node, ast.At):
        return POSTFIX
    return ATOM


class ExprPrinter:
    """Expression AST → one line of text. `full`: every compound sub-expression in
    parentheses; otherwise only where the grammar's precedence needs them. `unicode`:
    ≠ ≤ ≥ × instead of != <= >= *."""

    def __init__(self, full: bool = False, unicode: bool = False):
        self.full, self.unicode = full, unicode

    def op(self, op: str) -> str:
        return UNICODE_OPERATORS.get(op, op) if self.unicode else op

    def sub(self, node: ast.Expr, at_least: int) -> str:
        """The text of a sub-expression where the grammar expects `at_least` that level."""
        text = self(node)
        if level(node) < at_least or (self.full and level(node) != ATOM):
            return f"({text})"
        return text

    def items(self, nodes: Iterable[ast.Expr]) -> str:
        return ", ".join(self.sub(n, IF) for n in nodes)

    def __call__(self, node: ast.Expr) -> str:  # noqa: C901 - one case per node, as in the grammar
        s = self.sub
        if isinstance(node, ast.Number):
            return node.text + (f" {node.unit}" if node.unit else "")
        if isinstance(node, ast.DateLit):
            return node.text
        if isinstance(node, ast.TextLit):
            return quote(node.value)
        if isinstance(node, ast.BoolLit):
            return "true" if node.value else "false"
        if isinstance(node, ast.Ref):
            return node.name.text
        if isinstance(node, ast.Call):
            return f"{node.func.text}({self.items(node.args)})"
        if isinstance(node, ast.ListExpr):
            return f"[{self.items(node.items)}]"
        if isinstance(node, ast.RecordLit):
            return "{" + ", ".join(f"{n}: {s(v, IF)}" for n, v in node.fields) + "}"
        if isinstance(node, ast.Comprehension):
            where = f" where {s(node.where, IF)}" if node.where is not None else ""
            return f"[{s(node.body, IF)} for each {node.var} in {s(node.source, IF)}{where}]"
        if isinstance(node, ast.Aggregate):
            head = self.head(node)
            if node.items is not None:
                return f"{head} [{self.items(i.expr for i in node.items)}]"
            assert node.over is not None
            return f"{head} {s(node.over, ATOM)}"
        if isinstance(node, ast.FirstOf):
            raise ValueError("`first of` is a block: it has no one-line form")
        if isinstance(node, ast.IsGiven):
            return f"{node.name.text} is {'not ' if node.negated else ''}given"
        if isinstance(node, ast.GivenOr):
            return self.given_or(node)
        if isinstance(node, ast.RuleError):
            return "error " + quote(node.message)
        if isinstance(node, ast.If):
            return f"if {s(node.cond, IF)} then {s(node.then, IF)} else {s(node.otherwise, IF)}"
        if isinstance(node, ast.Unary):
            if node.op == "not":
                return f"not {s(node.operand, NOT)}"
            return f"-{s(node.operand, UNARY)}"
        if isinstance(node, ast.At):
            return f"{s(node.target, ATOM)} at {s(node.when, UNARY)}"
        if isinstance(node, ast.Between):
            return f"{s(node.value, SUM)} between {s(node.low, SUM)} and {s(node.high, SUM)}"
        assert isinstance(node, ast.Binary), node
        op = node.written or self.op(node.op)  # as the author wrote it, if parsed
        if node.op == "implies":
            return f"{s(node.left, OR)} implies {s(node.right, OR)}"
        if node.op == "or":
            return f"{s(node.left, OR)} or {s(node.right, AND)}"
        if node.op == "and":
            return f"{s(node.left, AND)} and {s(node.right, NOT)}"
        if node.op in COMPARISONS:
            return f"{s(node.left, SUM)} {op} {s(node.right, SUM)}"
        if node.op in ("+", "-"):
            return f"{s(node.left, SUM)} {op} {s(node.right, PRODUCT)}"
        return f"{s(node.left, PRODUCT)} {op} {s(node.right, UNARY)}"

    def given_or(self, node: ast.GivenOr) -> str:
        """`x otherwise V`: looser than `implies`, tighter than `if`, grouped to the right."""
        right = self(node.fallback) if isinstance(node.fallback, ast.GivenOr) and not self.full \
            else self.sub(node.fallback, IMPLIES)
        return f"{self.sub(node.value, IMPLIES)} otherwise {right}"

    def head(self, node: ast.Aggregate) -> str:
        """`all of`, `any of`, `count of` or `at least K of`."""
        if node.kind == "at_least":
            assert node.k is not None
            return f"at least {self.sub(node.k, SUM)} of"
        return _HEADS[node.kind]


def print_expr(node: ast.Expr, full: bool = False, unicode: bool = False) -> str:
    """One expression as text (a `first of` has no one-line form: see print_module)."""
    return ExprPrinter(full, unicode)(node)


# ------------------------------------------------------------------ declarations


def _cites(cites: Iterable[ast.Cite]) -> str:
    return "  ".join(f"§ {quote(c.quote)}" + (f" in {c.source}" if c.source else "")
                     for c in cites)


def _after(text: str, cites: tuple[ast.Cite, ...]) -> str:
    """A line followed by its citations."""
    return f"{text}  {_cites(cites)}" if cites else text


def _is_block(node: ast.Expr) -> bool:
    """Whether an expression is written as a block: a `first of`, or an aggregate over
    items not written on one line (`all of [a, b]`)."""
    return isinstance(node, ast.FirstOf) or (isinstance(node, ast.Aggregate)
                                             and bool(node.items) and not node.inline)


def _type(ref: ast.TypeRef) -> str:
    if ref.name == "enum":
        return "one of " + ", ".join(ref.members)
    if ref.name == "list" and ref.element is not None:
        return "list of " + _type(ref.element)
    return ref.name


class ModulePrinter(TablePrinter):  # decision tables: dsl/printer_tables.py
    """A module → lines of text. Each `line`/`block` method appends to `self.out`."""

    def __init__(self, full: bool = False, unicode: bool = False):
        self.expr = ExprPrinter(full, unicode)
        self.out: list[str] = []

    def emit(self, depth: int, text: str, own: Iterable[Any] = (),
             inline: Iterable[Any] = ()) -> None:
        """One line, with the comments of the `own` nodes whose line it is and of every
        node inside the `inline` ones (which are printed whole on this line)."""
        before: list[ast.Comment] = []
        after: list[ast.Comment] = []
        nodes = [*own, *(n for sub in inline if sub is not None for n in walk(sub))]
        for node in nodes:
            if isinstance(node, ast.LINE_NODES):
                before += node.comments.before
                after += node.comments.after
        before += after[1:]
        for comment in before:
            self.out.append(INDENT * depth + f"#{comment.text}")
        self.out.append(INDENT * depth + text + (f"  #{after[0].text}" if after else ""))

    def cite_lines(self, depth: int, cites: tuple[ast.Cite, ...]) -> None:
        for cite in cites:
            self.emit(depth, _cites((cite,)), inline=(cite,))

    def note_lines(self, depth: int, notes: tuple[str, ...]) -> None:
        for note in notes:
            self.emit(depth, f"note {quote(note)}")

    # -- declarations
    def module(self, module: ast.Module) -> str:
        decls: list[ast.Declaration] = [module.header] if module.header else []
        decls += module.declarations
        for i, decl in enumerate(decls):
            if i:
                self.out.append("")
            getattr(self, type(decl).__name__.lower())(decl)
        self.out += [f"#{c.text}" for c in module.comments]
        return "\n".join(self.out) + "\n"

    def header(self, h: ast.Header) -> None:
        self.emit(0, f"{h.kind} {h.name.text}", own=(h,))
        if h.title is not None:
            self.emit(1, f"title {quote(h.title)}")
        if h.authority is not None:
            self.emit(1, f"authority {quote(h.authority)}")
        for src in h.sources:
            text = f"source {src.name}"
            if src.file is not None:
                text += f" {quote(src.file)}"
            if src.url is not None:
                text += f" url {quote(src.url)}"
            self.emit(1, text, inline=(src,))
        if h.url is not None:
            self.emit(1, f"url {quote(h.url)}")
        if h.as_of is not None:
            self.emit(1, f"as of {h.as_of}")
        self.note_lines(1, h.notes)

    def use(self, u: ast.Use) -> None:
        self.emit(0, f"use {u.module.text}" + (f" as {u.alias}" if u.alias else ""), inline=(u,))

    def field(self, depth: int, f: ast.InputField) -> None:
        text = f"{f.name} : {_type(f.type)}"
        for c in f.constraints:
            text += f", at {'least' if c.kind == 'min' else 'most'} {self.expr.sub(c.bound, SUM)}"
        if f.optional:
            text += ", optional"
        if f.default is not None:
            text += f" = {self.expr.sub(f.default, SUM)}"
        if f.description is not None:
            text += f"  {quote(f.description)}"
        self.emit(depth, text, own=(f,), inline=(*f.constraints, f.default))
        self.cite_lines(depth + 1, f.cites)

    def inputblock(self, block: ast.InputBlock) -> None:
        self.emit(0, "input", own=(block,))
        for f in block.fields:
            self.field(1, f)

    def recorddecl(self, r: ast.RecordDecl) -> None:
        self.emit(0, f"record {r.name}" + (f" {quote(r.description)}" if r.description else ""),
                  own=(r,))
        for f in r.fields:
            self.field(1, f)
        for d in r.defines:
            self.define(d, 1)

    def enumdecl(self, e: ast.EnumDecl) -> None:
        text = f"enum {e.name} : {', '.join(e.members)}"
        self.emit(0, text + (f"  {quote(e.description)}" if e.description is not None else ""),
                  own=(e,))
        self.cite_lines(1, e.cites)

    def _typed(self, keyword: str, decl: ast.Parameter | ast.Series) -> None:
        text = f"{keyword} {decl.name} : {_type(decl.type)}"
        if decl.description is not None:
            text += f"  {quote(decl.description)}"
        self.emit(0, text, own=(decl,))

    def parameter(self, p: ast.Parameter) -> None:
        self._typed("parameter", p)
        self.cite_lines(1, p.cites)
        self.note_lines(1, p.notes)
        for v in p.values:
            text = f"from {v.start.text}" + (f" until {v.end.text}" if v.end else "")
            text += f": {self.expr(v.value)}"
            if v.indexed_by is not None:
                text += f" indexed by {v.indexed_by.text}"
            self.emit(1, _after(text, v.cites), inline=(v,))

    def series(self, s: ast.Series) -> None:
        self._typed("series", s)
        if s.publisher is not None:
            self.emit(1, f"source {quote(s.publisher)}" + (f" url {quote(s.url)}" if s.url else ""))
        if s.period is not None:
            self.emit(1, f"period {s.period}")
        self.cite_lines(1, s.cites)
        self.note_lines(1, s.notes)
        for v in s.values:
            self.emit(1, _after(f"{v.period}: {v.value}", v.cites), inline=(v,))

    # -- rules
    def define(self, d: ast.Define, depth: int = 0) -> None:
        params = "" if d.params is None else \
            "(" + ", ".join(f"{p.name} : {_type(p.type)}" for p in d.params) + ")"
        head = f"{d.kind} {d.name}{params}" + (f" : {_type(d.type)}" if d.type else "") + " ="
        if not _is_block(d.expr):
            self.emit(depth, f"{head} {self.expr(d.expr)}", own=(d,), inline=(d.expr,))
        elif d.cites or d.notes:
            # The block on its own line, so that the rule's citations can follow it.
            self.emit(depth, head, own=(d,))
            self.block(depth + 1, d.expr)
        else:
            self.block(depth, d.expr, head + " ", own=(d,))
            return
        self.cite_lines(depth + 1, d.cites)
        self.note_lines(depth + 1, d.notes)

    def block(self, depth: int, node: ast.Expr, prefix: str = "", own: Iterable[Any] = ()) -> None:
        """A `first of` or an aggregate over items, its head at the end of a line."""
        if isinstance(node, ast.FirstOf):
            self.emit(depth, prefix + "first of", own=own)
            self.cite_lines(depth + 1, node.cites)
            for b in node.branches:
                self.line(depth + 1, b)
            return
        assert isinstance(node, ast.Aggregate) and node.items
        self.emit(depth, prefix + self.expr.head(node), own=own, inline=(node.k,))
        self.cite_lines(depth + 1, node.cites)
        for item in node.items:
            self.line(depth + 1, item)

    def line(self, depth: int, line: ast.Item | ast.Branch) -> None:
        """A line of a block, of whichever form it was written in (the checker reports
        a `when` line outside `first of`, or an item in it)."""
        if isinstance(line, ast.Item):
            self.item(depth, line)
            return
        tail = f" when {self.expr(line.cond)}" if line.cond is not None else " otherwise"
        # an `otherwise` line's value is no `if` and no `x otherwise V` (the grammar reads on)
        value = self.expr(line.value) if line.cond is not None or \
            not isinstance(line.value, (ast.If, ast.GivenOr)) else f"({self.expr(line.value)})"
        self.emit(depth, _after(value + tail, line.cites), inline=(line,))

    def item(self, depth: int, item: ast.Item) -> None:
        if _is_block(item.expr) and not item.cites and not item.exceptions:
            self.block(depth, item.expr, own=(item,))
            return
        self.emit(depth, _after(self.expr(item.expr), item.cites), own=(item,),
                  inline=(item.expr, *item.cites))
        for e in item.exceptions:
            self.emit(depth + 1, _after(f"unless {self.expr(e.cond)}", e.cites), inline=(e,))

    # -- invariants and examples
    def invariant(self, inv: ast.Invariant) -> None:
        text = "invariant " + (f"{inv.name}: " if inv.name else "")
        if inv.kind == "monotone":
            direction = "" if inv.direction == "increasing" else f"{inv.direction} "
            text += f"monotone {direction}{inv.output} in {inv.input}"
        else:
            assert inv.expr is not None
            text += self.expr(inv.expr)
        if inv.guard is not None:
            text += f" when {self.expr(inv.guard)}"
        self.emit(0, text, own=(inv,), inline=(inv.expr, inv.guard))
        self.cite_lines(1, inv.cites)

    def requirement(self, r: ast.Requirement) -> None:
        text = "require " + (f"{r.name}: " if r.name else "")
        text += f"{self.expr(r.condition)} {quote(r.message)}"
        self.emit(0, text, own=(r,), inline=(r.condition,))
        self.cite_lines(1, r.cites)
        self.note_lines(1, r.notes)

    def example(self, ex: ast.Example) -> None:
        self.emit(0, f"example {quote(ex.name)}"
                  + (f" extends {quote(ex.extends)}" if ex.extends is not None else ""), own=(ex,))
        self.cite_lines(1, ex.cites)
        self.note_lines(1, ex.notes)
        if ex.on is not None:
            self.emit(1, f"on {ex.on.text}")
        for keyword, assignments in (("given", ex.given), ("expect", ex.expect)):
            for a in assignments:
                self.emit(1, f"{keyword} {a.name} = {self.expr(a.value)}", inline=(a,))
        if ex.expect_error is not None:
            self.emit(1, f"expect error {quote(ex.expect_error)}")


def print_module(module: ast.Module, full: bool = False, unicode: bool = False) -> str:
    """A whole module as `.legis` text: parse_module(print_module(m)) equals m."""
    return ModulePrinter(full, unicode).module(module)

"""Checking stage: units that cannot slip — a rate is written with `%`.

Consumes the AST expression that stands where a rate is declared (a parameter's dated
value, a rule declared `: rate`, an input bound, an example's value, the other side of a
comparison or a sum with a rate) and finds the plain number literals in it: `89.72`
there would be 8972 %, so it is E201 with the hint "did you mean 89.72 %?". An explicit
fraction (`1 / 3`) is arithmetic, not a literal, and stays allowed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator, Protocol

from legiste.compiler.ir.types import Type
from legiste.dsl import ast
from legiste.dsl.span import Span


class _Reporter(Protocol):
    def report(self, code: str, message: str, span: Span, hints: tuple[str, ...] | list[str] = (),
               notes: tuple[str, ...] | list[str] = ()) -> None: ...


def _bare(node: ast.Expr, type_: Type | None) -> Iterator[ast.Number]:
    """The unit-less number literals of `node` that give its value when it is of `type_`."""
    if type_ is None:
        return
    if type_.kind == "rate":
        if _plain(node):
            yield node
        elif isinstance(node, ast.Unary) and node.op == "-":
            yield from _bare(node.operand, type_)
        elif isinstance(node, ast.If):
            yield from _bare(node.then, type_)
            yield from _bare(node.otherwise, type_)
        elif isinstance(node, ast.FirstOf):
            for branch in node.branches:
                yield from _bare(branch.value, type_)
    elif type_.kind == "list" and isinstance(node, ast.ListExpr):
        for item in node.items:
            yield from _bare(item, type_.element)
    elif type_.kind == "record" and isinstance(node, ast.RecordLit):
        fields = dict(type_.fields or ())
        for name, value in node.fields:
            yield from _bare(value, fields.get(name))


def _plain(node: ast.Expr) -> bool:
    """A number literal without unit, other than 0 (which is 0 % whatever the unit)."""
    return isinstance(node, ast.Number) and node.unit is None and Decimal(node.text) != 0


def _hint(number: ast.Number) -> str:
    value = Decimal(number.text)
    if 0 < value <= 1:  # perhaps a fraction: say both readings, never pick one
        percent = format((value * 100).normalize(), "f")
        return f"did you mean {percent} % (the fraction {number.text}) or {number.text} %?"
    return f"did you mean {number.text} %?"


def bare_rates(checker: _Reporter, node: ast.Expr, type_: Type | None, what: str) -> bool:
    """Report E201 for each plain number where `what` is declared a rate; True if any."""
    found = False
    for number in _bare(node, type_):
        found = True
        checker.report("E201", f"{what} is a rate, and {number.text} is a plain number",
                       number.span, hints=[_hint(number), "a rate is written with % (89.72 %), "
                                           "or as an explicit fraction (1 / 3)"])
    return found


def bare_rate_beside(checker: _Reporter, node: ast.Binary, left: Type, right: Type) -> bool:
    """E201 for a plain number compared with, added to or subtracted from a rate."""
    if node.op not in ("=", "!=", "<", "<=", ">", ">=", "+", "-"):
        return False
    found = False
    for number, other in ((node.left, right), (node.right, left)):
        if _plain(number) and other.kind == "rate":
            assert isinstance(number, ast.Number)
            found = True
            checker.report("E201", f"{number.text} is a plain number beside a rate",
                           number.span, hints=[_hint(number), "a rate is written with % (89.72 %)"])
    return found

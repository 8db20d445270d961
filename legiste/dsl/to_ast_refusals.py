"""Tree → AST of presumptions, optional inputs, input constraints and rule errors.

Front end; a mixin of `ToAST` (dsl/to_ast.py), whose transformer methods are named after
the grammar's aliases (`presumption`, `c_optional`, `requirement`, `given_or`, `is_given`,
`rule_error`); builds the nodes of dsl/ast_refusals.py.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from legiste.dsl import ast


class Presumption:
    """`= VALUE` after an input's type, until `input_field` puts it in the field."""

    def __init__(self, value: ast.Expr):
        self.value = value


class Optional_:
    """`, optional` among an input's constraints, until `input_field` takes it out."""


def _unquote(token: Token) -> str:
    from legiste.dsl.to_ast import _unquote as unquote
    return unquote(token)


@v_args(meta=True)
class RefusalsToAST(Transformer):
    """The transformer methods of the constructs of dsl/ast_refusals.py."""

    # Provided by ToAST.
    _span: Any
    _ident: Any
    _split: Any
    _fail: Any

    def presumption(self, meta, c):
        return Presumption(c[0])

    def c_optional(self, meta, c):
        return Optional_()

    def input_single(self, meta, c):
        return ast.InputBlock((c[0],), span=self._span(meta))

    def requirement(self, meta, c):
        name, condition, message, *rest = c
        cites, notes, _ = self._split(rest)
        return ast.Requirement(self._ident(name) if name else None, condition, _unquote(message),
                               cites, notes, span=self._span(meta))

    def given_or(self, meta, c):
        return ast.GivenOr(c[0], c[1], span=self._span(meta))

    def _is_given(self, meta, c, negated: bool):
        operand = c[0]
        if not isinstance(operand, ast.Ref):
            self._fail("E004", "`is given` follows the name of an optional input", self._span(meta),
                       ("write: birth_date is given",))
        return ast.IsGiven(operand.name, negated, span=self._span(meta))

    def is_given(self, meta, c):
        return self._is_given(meta, c, False)

    def is_not_given(self, meta, c):
        return self._is_given(meta, c, True)

    def rule_error(self, meta, c):
        return ast.RuleError(_unquote(c[0]), span=self._span(meta))

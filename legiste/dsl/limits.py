"""Limits of the front end (stage 0, on Lark's parse tree, before the AST is built).

A rule file that parses can still be one that no later stage should take: an expression
nested so deep that the recursive stages (the AST builder, the checker, the interpreter,
the explanation, Python's own parser for a generated module) would overflow the stack; a
number literal with more digits than any amount of the law (Python refuses int() past 4,300
digits); a text holding the bidirectional-control characters used to make code read
differently from what it does. Each is a located diagnostic here, found iteratively, so
that no stage after this one ever sees it.
"""

from __future__ import annotations

from lark import Token, Tree

from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import SourceFile, Span

# The deepest expression of the seed policies is 17 levels of the parse tree; 64 leaves
# room for any text while keeping every recursive stage and the generated module's
# parentheses (Python allows 200) far from their limits.
MAX_NESTING = 64
# Literals are bounded like inputs: 10^18 and more, or more than 28 significant digits
# (Decimal's precision, in which amounts are exact), is no figure of the law.
MAX_INTEGER_DIGITS = 18
MAX_SIGNIFICANT_DIGITS = 28
# Bidirectional controls (embeddings, overrides, isolates, marks): allowed in comments only.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _span(token: Token, source: SourceFile, offset: int) -> Span:
    line = (token.line or 1) + offset
    end_line = (token.end_line or token.line or 1) + offset
    return source.span(line, token.column or 1, end_line,
                       token.end_column or (token.column or 1) + 1)


def _first_token(tree: Tree | Token) -> Token | None:
    stack: list[Tree | Token] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            return node
        stack.extend(c for c in reversed(node.children) if c is not None)
    return None


def _number_problem(text: str) -> str | None:
    whole, _, fraction = text.partition(".")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        return f"has {len(whole.lstrip('0'))} digits before the point (at most {MAX_INTEGER_DIGITS})"
    significant = (whole + fraction).lstrip("0")
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        return f"has {len(significant)} significant digits (at most {MAX_SIGNIFICANT_DIGITS})"
    return None


def check_limits(tree: Tree, source: SourceFile, offset: int) -> list[Diagnostic]:
    """The diagnostics of one declaration's parse tree (its first line is `offset` + 1)."""
    diagnostics: list[Diagnostic] = []
    too_deep = False
    stack: list[tuple[Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            if node.type == "NUMBER":
                problem = _number_problem(str(node))
                if problem:
                    diagnostics.append(error(
                        "E005", f"this number {problem}", _span(node, source, offset),
                        hints=["no amount, count or rate of the law has that many digits; "
                               "check the figure"]))
            elif node.type == "STRING" and BIDI_CONTROLS & set(str(node)):
                char = next(c for c in str(node) if c in BIDI_CONTROLS)
                diagnostics.append(error(
                    "E006", f"this text holds the invisible direction control U+{ord(char):04X}",
                    _span(node, source, offset),
                    hints=["such characters make a text display differently from what it holds; "
                           "delete them (they are allowed in comments only)"]))
            continue
        if depth > MAX_NESTING and not too_deep:
            too_deep = True
            token = _first_token(node)
            span = _span(token, source, offset) if token else source.span(offset + 1, 1, offset + 1, 2)
            diagnostics.append(error(
                "E005", f"expression nested deeper than {MAX_NESTING} levels", span,
                hints=["split it into `define`s, each a step of the computation"]))
            continue
        # Leftmost first, so the error points at the start of the deepest part.
        stack.extend((child, depth + 1) for child in reversed(node.children) if child is not None)
    return diagnostics

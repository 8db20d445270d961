"""Python backend: the code of a `first of` (and so of a decision table, which the checker
makes one `first of` per output column, a row's condition the `and` of its cells).

Lines whose conditions start with the same test are nested under one test of it:
`v1 if p and a else v2 if p and b else REST` is `(v1 if a else v2 if b else REST) if p
else REST`. The conditions are pure and evaluated left to right, stopping at the first
false one, so the same tests run in the same order up to the first false `p` (which the
nested form does not repeat), the same line applies and the same one fails: only repeated
tests are saved. A table's rows, each testing every column again, become one test per
column. REST is written twice, so this is done only where what follows is small.

Consumes lowered IR (`ir.FirstOf`); part of `ExpressionCompiler` (expressions.py).
"""

from __future__ import annotations

from functools import reduce
from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import P_IF, P_NOT, P_OR, comment, wrap
from legiste.compiler.ir.operators import Op
from legiste.compiler.ir.types import BOOLEAN

# A `first of` of more lines than this is generated as a flat `or` chain (see flat_first_of).
FLAT_FIRST_OF = 16
# The largest part after nested lines (in IR nodes: their conditions, values and the
# `otherwise`) that may be written twice.
_REPEATED = 100

_Row = tuple[list[Any], ir.Branch]  # a line: the tests of its condition, and the line


def conjuncts(node: Any) -> list[Any]:
    """The tests of `a and b and c`, in their order of evaluation."""
    if isinstance(node, ir.Logic) and node.op is Op.AND:
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def _conjunction(tests: list[Any]) -> Any:
    return reduce(lambda a, b: ir.Logic(Op.AND, a, b, BOOLEAN, span=b.span), tests)


class FirstOfCode:
    """`ExpressionCompiler` methods for `first of`."""

    code: Callable[..., str]
    learn: Callable[[Any], list[str]]
    forget: Callable[[list[str]], None]
    site: Callable[[Any], int]
    facts: Any

    def first_of(self, node: ir.FirstOf, scope: dict[str, str], branch: Any,
                 comments: bool = False) -> list[str]:
        """The lines `value if cond else` of a `first of` and its last line; conditions are
        generated before their values, as they are evaluated."""
        if len(node.branches) > FLAT_FIRST_OF:
            return self.flat_first_of(node, scope, branch, comments)
        if node.otherwise is not None:
            otherwise = branch(node.otherwise)
            last = otherwise[0] if otherwise[1] == P_IF else wrap(otherwise, P_NOT)
        else:
            note = "  # no line applies: E403" if comments else ""
            last = f"_no_line({self.site(node.span)}){note}"
        size = self.facts.size(node.otherwise) if node.otherwise is not None else 0
        rows = [(conjuncts(b.cond), b) for b in node.branches]
        return self.rows(rows, scope, branch, comments, last, size)

    def rows(self, rows: list[_Row], scope: dict[str, str], branch: Any, comments: bool,
             last: str, last_size: int) -> list[str]:
        """The lines of `rows`, then `last`; consecutive rows starting with the same test
        are nested under it (see the module's docstring)."""
        lines: list[str] = []
        learnt: list[str] = []
        i = 0
        while i < len(rows):
            tests, b = rows[i]
            j = i + 1
            while j < len(rows) and len(tests) > 1 and len(rows[j][0]) > 1 \
                    and rows[j][0][0] == tests[0]:
                j += 1
            after = rows[j:]
            repeated = last_size + sum(self.facts.size(r.cond) + self.facts.size(r.value)
                                       for _, r in after)
            if j - i > 1 and repeated <= _REPEATED:
                head = self.code(tests[0], scope, P_OR)
                learnt += self.learn(tests[0])  # evaluated before all that follows
                inner = self.rows([(t[1:], r) for t, r in rows[i:j]] + after, scope, branch,
                                  comments, last, last_size)
                lines += ["(", *inner, f") if {head} else"]
                i = j
                continue
            test = b.cond if len(tests) == len(conjuncts(b.cond)) else _conjunction(tests)
            cond = self.code(test, scope, P_OR)
            learnt += self.learn(test)  # read by the lines after it, and by its value
            value = wrap(branch(b.value), P_NOT)
            quote = f"  # § {comment(repr(b.cites[0].quote))}" if comments and b.cites else ""
            lines.append(f"{value} if {cond} else{quote}")
            i += 1
        self.forget(learnt)
        lines.append(last)
        return lines

    def flat_first_of(self, node: ir.FirstOf, scope: dict[str, str], branch: Any,
                      comments: bool) -> list[str]:
        """A long `first of` as one flat `or` chain, `(c1 and (v1,) or c2 and (v2,) or …
        (otherwise,))[0]`: `v if c else …` nests one level per line, and Python's compiler
        gives up past a few thousand (a module that checked would not import). The same
        conditions and values are evaluated in the same order; a value travels in a
        1-tuple, which is true whatever the value."""
        lines = []
        for i, b in enumerate(node.branches):
            cond = self.code(b.cond, scope, P_NOT)
            value = wrap(branch(b.value), 1)
            quote = f"  # § {comment(repr(b.cites[0].quote))}" if comments and b.cites else ""
            lines.append(f"{'(' if i == 0 else ''}{cond} and ({value},) or{quote}")
        if node.otherwise is not None:
            lines.append(f"({wrap(branch(node.otherwise), 1)},))[0]")
        else:
            note = "  # no line applies: E403" if comments else ""
            lines.append(f"(_no_line({self.site(node.span)}),))[0]{note}")
        return lines


__all__ = ["FLAT_FIRST_OF", "FirstOfCode", "conjuncts"]

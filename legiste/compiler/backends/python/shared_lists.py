"""Python backend: lists built once. A comprehension that an `and`, an `or` or an
`all of` / `any of` builds on its left and again on its right (a record rule read twice
in one element's rule, `size(counted) > 0 and average(counted) >= t`) is named where it
is first built (`_list1 := [...]`) and read by name after; a list proven not empty on the
left is known not empty on the right (no E402 test in `average`).

Consumes lowered IR expressions; the code itself is `ExpressionCompiler`'s
(expressions.py), which this mixin is part of.
"""

from __future__ import annotations

from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import P_AND, P_OR, wrap
from legiste.compiler.ir.operators import Agg, Op
from legiste.compiler.ir.walk import walk


class SharedLists:
    """`ExpressionCompiler` methods: which lists are built once, and `all of` chains."""

    reuse: dict[int, str]
    memo: set[str]
    known: set[str]
    reused: list[tuple[Any, str]]
    nonempty: list[Any]
    counter: int
    facts: Any
    condition: Callable[[ir.Condition, dict[str, str]], tuple[str, int]]

    def nonempty_lists(self, node: Any) -> list[Any]:
        """The comprehensions surely not empty when `node` is true: it tests `size(C) > 0`,
        `size(C) >= 1` or `size(C) != 0` (alone or in an `and`)."""
        out = []
        for n in self.evaluated_if(node, True):
            if isinstance(n, ir.Compare) and isinstance(n.left, ir.Call) and n.left.func.name == "size" \
                    and isinstance(n.right, ir.Const) and type(n.right.value) is int \
                    and (n.op, n.right.value) in ((Op.GT, 0), (Op.GE, 1), (Op.NE, 0)):
                listed = self.facts.in_place(n.left.args[0])
                if isinstance(listed, ir.Comprehension):
                    out.append(listed)
        return out

    def shared_lists(self, node: ir.Logic, scope: dict[str, str]) -> list[Any]:
        """Common subexpressions: a comprehension computed on the left of `and`/`or` and again
        on its right is built once (`len(_list1 := [...]) > 0 and average(_list1) …`). The right
        is evaluated only after the left, and only when the left is true (`and`, `implies`)
        or false (`or`): the lists surely built then are reused."""
        return self.share(node.left, [node.right], node.op is not Op.OR, scope)

    def share(self, first: Any, later: list[Any], truth: bool, scope: dict[str, str]) -> list[Any]:
        """The comprehensions surely built by `first` when it is `truth` that `later`
        expressions (evaluated only then) build again: named, to be built once."""
        if " no walrus" in scope:  # a comprehension's iterable takes no assignment
            return []
        built = [n for n in self.evaluated_if(first, truth) if isinstance(n, ir.Comprehension)]
        shared = []
        for c in built:
            if id(c) in self.reuse or any(c == other for other, _ in self.reused):
                continue
            if any(n == c for r in later for n in walk(r) if isinstance(n, ir.Comprehension)):
                self.counter += 1
                self.reuse[id(c)] = f"_list{self.counter}"
                self.reused.append((c, self.reuse[id(c)]))
                shared.append(c)
        return shared

    def must(self, node: Any) -> list[Any]:
        """The nodes surely evaluated when `node` is (comprehension bodies and iterables,
        and the parts after a short-circuit, are not)."""
        out = [node]
        if isinstance(node, (ir.Compare, ir.Arith)):
            out += self.must(node.left) + self.must(node.right)
        elif isinstance(node, ir.Logic):
            out += self.must(node.left)
        elif isinstance(node, ir.Unary):
            out += self.must(node.operand)
        elif isinstance(node, (ir.Exactly, ir.InlinedRule)):
            out += self.must(node.value)
        elif isinstance(node, ir.Field):
            out += self.must(node.record)
        elif isinstance(node, ir.Call):
            for a in node.args:
                out += self.must(a)
        elif isinstance(node, ir.If):
            out += self.must(node.cond)
        elif isinstance(node, ir.Between):
            out += self.must(node.low) + self.must(node.value)
        elif isinstance(node, ir.ListLit):
            for i in node.items:
                out += self.must(i)
        elif isinstance(node, ir.Aggregate) and node.over is None and node.items:
            first = node.items[0]  # its first exception, else its rule, is tested first
            out += self.must(first.exceptions[0].cond if first.exceptions else first.expr)
        elif isinstance(node, ir.FirstOf) and node.branches:
            out += self.must(node.branches[0].cond)
        return out

    def evaluated_if(self, node: Any, truth: bool) -> list[Any]:
        """The nodes surely evaluated when `node` turned out `truth`."""
        if isinstance(node, ir.Logic) and node.op is Op.AND and truth:
            return [node] + self.evaluated_if(node.left, True) + self.evaluated_if(node.right, True)
        if isinstance(node, ir.Logic) and node.op is Op.OR and not truth:
            return [node] + self.evaluated_if(node.left, False) + self.evaluated_if(node.right, False)
        return self.must(node)

    def learn(self, node: Any) -> list[str]:
        """Once `node` is evaluated, the memoised rules it surely read are in `m`: what is
        evaluated after it reads them as `m[KEY]` (no test). The ids added to `known`, for
        `forget` when the code after it is written."""
        learnt = [n.id for n in self.must(node) if isinstance(n, ir.Local) and n.id in self.memo
                  and n.id not in self.known]
        self.known.update(learnt)
        return learnt

    def forget(self, learnt: list[str]) -> None:
        """Undo `learn` (the code written next may run without `node`)."""
        self.known.difference_update(learnt)

    def joined(self, node: ir.Aggregate, scope: dict[str, str]) -> tuple[str, int]:
        """`all of` / `any of` over items, as `a and b and c` (`or`): an item is evaluated
        only when those before it were all true (false), so a list an item builds and a
        later one builds again is built once, and a list an `all of` item proved not empty
        is known not empty after it (as in `_Logic`)."""
        every = node.kind is Agg.ALL
        op, prec = node.kind.joins, (P_AND if every else P_OR)
        parts, shared, nonempty, learnt = [], [], 0, []
        try:
            for i, item in enumerate(node.items):
                # (an item with an exception may be waived: its rule is not surely read)
                if not item.exceptions:  # named before the code that builds it is written
                    shared += self.share(item.expr, [x.expr for x in node.items[i + 1:]], every, scope)
                parts.append(wrap(self.condition(item, scope), prec + 1))
                if not item.exceptions:
                    learnt += self.learn(item.expr)
                if every and not item.exceptions:
                    found = self.nonempty_lists(item.expr)
                    self.nonempty += found
                    nonempty += len(found)
        finally:
            del self.nonempty[len(self.nonempty) - nonempty:]
            self.forget(learnt)
        for c in shared:
            self.reuse.pop(id(c), None)
        self.reused = [(c, name) for c, name in self.reused if c not in shared]
        return f" {op} ".join(parts), prec


__all__ = ["SharedLists"]

"""Analysis of the typed IR (stage 3), consumed by the code generators (today the Python
back end): whether a value is surely a Decimal, whether it can fail, how often each rule
is read, and so which rules are memoised and which are read in place (inlined)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.kinds import DECIMAL_KINDS, WHOLE_KINDS
from legiste.compiler.ir.operators import Impl, Op
from legiste.compiler.ir.walk import children, walk

# The nodes the lowering passes add (ir/passes/lowering.py).
def once_compared(node: Any) -> tuple[Any, Any, bool] | None:
    """A comparison of a quotient rounded once (ir.Exactly `once`) with a number that has
    none: (the Exactly, the other operand, whether the Exactly is on the left); such a
    comparison is decided by the Decimal values unless they are equal (or the other one
    has more digits than the context), and exactly only then."""
    if not isinstance(node, ir.Compare):
        return None
    for side, other, left in ((node.left, node.right, True), (node.right, node.left, False)):
        if isinstance(side, ir.Exactly) and side.once and not isinstance(other, ir.Exactly):
            return side, other, left
    return None


_LOWERED = (ir.AsOf, ir.RoundToCent, ir.ToDecimal, ir.Exactly, ir.RatOf, ir.RatArith,
            ir.RatMean, ir.RatIf)

# A rule of inputs read in this many places is memoised rather than read in place.
_MANY_READS = 4

# The number of days of each month in every year (February: 28).
_SURE_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class RuleFacts:
    """Facts about the expressions of a program (its policy and the modules it uses)."""

    def __init__(self, program: ir.Program):
        self.program = program
        self.definitions = {d.id: d for u in program.units.values() for d in u.definitions}
        self.inlined_ids: set[str] = set()  # set by `inlined`
        self.inputs = {decl.name: decl for decl in program.policy.inputs}

    def is_decimal(self, node: Any) -> bool:
        """Whether a money/decimal/rate expression is always a Decimal at run time (a whole
        number may stand where a decimal is declared: `if c then 1 else 2.5`)."""
        if isinstance(node, ir.Const):
            return isinstance(node.value, Decimal)
        if isinstance(node, (ir.ToDecimal, ir.RoundToCent)):
            return True
        if isinstance(node, ir.InlinedRule):  # a record rule or a function, in place
            return self.is_decimal(node.value)
        if isinstance(node, (ir.Input, ir.Param)):
            return node.type.kind in DECIMAL_KINDS
        if isinstance(node, ir.Local):
            d = self.definitions[node.id]
            return d.type.kind in ("decimal", "rate") or (
                d.type.kind == "money" and (d.kind == "output" or self.is_decimal(d.expr)))
        if isinstance(node, ir.Arith) and node.impl is Impl.NUM:
            if node.op is Op.DIV:
                return True
            return self.is_decimal(node.left) or self.is_decimal(node.right)
        if isinstance(node, ir.Call):
            decimal = node.func.decimal
            return decimal == "always" or (decimal == "args" and all(self.is_decimal(a) for a in node.args))
        if isinstance(node, ir.If):
            return self.is_decimal(node.then) and self.is_decimal(node.otherwise)
        if isinstance(node, ir.FirstOf):
            return all(self.is_decimal(b.value) for b in node.branches) and (
                node.otherwise is None or self.is_decimal(node.otherwise))
        return False

    def is_computed(self, node: Any) -> bool:
        """Whether a value is the result of Decimal arithmetic, hence has no more digits than
        the decimal context's precision (28 by default; at most 60 assumed)."""
        return isinstance(node, ir.Arith) and node.impl is Impl.NUM and (
            node.op is Op.DIV or self.is_decimal(node.left) or self.is_decimal(node.right))

    def cannot_fail(self, node: Any) -> bool:
        """Whether evaluating an expression can raise no ArithmeticError (so that a rule made
        of it may be inlined without changing which rule an error names)."""
        if isinstance(node, ir.Input):  # an optional input may be absent (E406)
            return not self.inputs[node.name].optional if node.name in self.inputs else True
        if isinstance(node, (ir.Const, ir.Var, ir.Local, ir.AsOf, ir.IsGiven)):
            return True  # a rule's function turns its own arithmetic failures into errors
        if isinstance(node, ir.GivenOr):
            return self.cannot_fail(node.fallback)
        if isinstance(node, ir.Param):
            return all(v.index is None for v in self.program.parameter(node.id).values) and (
                node.at is None or self.cannot_fail(node.at))
        if isinstance(node, ir.Field):
            return self.cannot_fail(node.record)
        if isinstance(node, (ir.ToDecimal, ir.InlinedRule)):  # Decimal(a whole number) is exact
            return self.cannot_fail(node.value)
        if isinstance(node, ir.Exactly):  # its exact part repeats what its value computed
            return self.cannot_fail(node.value)
        if isinstance(node, ir.Unary):
            return (node.op is Op.NOT or node.type.kind in WHOLE_KINDS) and \
                self.cannot_fail(node.operand)
        if isinstance(node, ir.Arith):
            if node.impl is Impl.NUM and node.type.kind not in ("integer", "year"):
                return False
            return self.cannot_fail(node.left) and self.cannot_fail(node.right)
        if isinstance(node, ir.Call):
            return not node.func.may_fail(node) and all(self.cannot_fail(a) for a in node.args)
        if isinstance(node, (ir.Compare, ir.Logic)):
            return self.cannot_fail(node.left) and self.cannot_fail(node.right)
        if isinstance(node, ir.Between):
            return all(self.cannot_fail(x) for x in (node.value, node.low, node.high))
        if isinstance(node, ir.If):
            return all(self.cannot_fail(x) for x in (node.cond, node.then, node.otherwise))
        if isinstance(node, ir.FirstOf):
            return all(self.cannot_fail(b.cond) and self.cannot_fail(b.value) for b in node.branches) \
                and (node.otherwise is None or self.cannot_fail(node.otherwise))
        if isinstance(node, ir.Aggregate):
            return all(self.cannot_fail(i.expr) and all(self.cannot_fail(e.cond) for e in i.exceptions)
                       for i in node.items) and all(
                self.cannot_fail(x) for x in (node.over, node.k) if x is not None)
        if isinstance(node, (ir.ListLit,)):
            return all(self.cannot_fail(i) for i in node.items)
        if isinstance(node, ir.RecordLit):
            return all(self.cannot_fail(v) for _, v in node.fields)
        if isinstance(node, ir.Comprehension):
            return all(self.cannot_fail(x) for x in (node.source, node.where, node.body)
                       if x is not None)
        return False

    @staticmethod
    def size(node: Any) -> int:
        """The number of IR nodes of an expression, as written (the lowered forms, such as
        the date of a parameter read, are not counted)."""
        total, todo = 0, [node]
        while todo:
            n = todo.pop()
            if isinstance(n, ir.Exactly):  # the operand as written, not its exact twin
                todo.append(n.value)
                continue
            total += not isinstance(n, _LOWERED)
            todo.extend(children(n))
        return total

    def inlined(self, counts: dict[str, int]) -> set[str]:
        """Rules read in place rather than called: a `define` that cannot fail and is small
        (a date, a year, a test), or read once. A test of inputs alone that is read in many
        places (a status each line of a table tests) is not: it is computed once, when a
        case starts (see `eager`)."""
        inlined = set()
        for d in self.definitions.values():
            if d.kind != "define" or d.type.kind in DECIMAL_KINDS:
                continue
            if not self.cannot_fail(d.expr):
                continue
            refs = counts.get(d.id, 0)
            if refs >= _MANY_READS and self.size(d.expr) > 1 and self.of_inputs(d.expr):
                continue
            if (self.size(d.expr) <= 12 and self.cheap(d.expr)) or (refs <= 1 and self.size(d.expr) <= 12):
                inlined.add(d.id)
        self.inlined_ids = inlined
        return inlined

    def cheap(self, node: Any) -> bool:
        """No call (but year/month/day), no parameter, no other rule: cheaper to recompute
        than to memoise."""
        if isinstance(node, (ir.Param, ir.Local, ir.Comprehension)):
            return False
        if isinstance(node, ir.Call) and not node.func.cheap:
            return False
        return all(self.cheap(child) for child in children(node))

    def reference_counts(self) -> dict[str, int]:
        """How many places read each definition (a read inside a comprehension counts as
        many): a definition read once is not memoised."""
        counts: dict[str, int] = {}

        def count(node: Any, loop: bool) -> None:
            if isinstance(node, ir.Exactly):  # its exact twin reads what the operand reads
                count(node.value, loop)
                return
            if isinstance(node, ir.Local):
                counts[node.id] = counts.get(node.id, 0) + (2 if loop else 1)
            if isinstance(node, ir.Comprehension):
                count(node.source, loop)
                if node.where is not None:
                    count(node.where, True)
                count(node.body, True)
                return
            for child in children(node):
                count(child, loop)

        for d in self.definitions.values():
            count(d.expr, False)
        for d in self.program.policy.outputs:
            counts[d.id] = counts.get(d.id, 0) + 1
        return counts

    def valid_date(self, node: ir.Call) -> bool:
        """Whether `date(y, m, d)` surely exists: a year surely in the calendar (see
        `int_range`), a constant month and a constant day that every such month has (or a
        day up to 28 of any month)."""
        year, month, day = node.args
        years = self.int_range(year)
        if years is None or not 1 <= years[0] <= years[1] <= 9999:
            return False
        if not (isinstance(day, ir.Const) and type(day.value) is int and day.value >= 1):
            return False
        if isinstance(month, ir.Const) and type(month.value) is int and 1 <= month.value <= 12:
            return day.value <= _SURE_DAYS[month.value - 1]
        months = self.int_range(month)
        return months is not None and 1 <= months[0] <= months[1] <= 12 and day.value <= 28

    def int_range(self, node: Any) -> tuple[int, int] | None:
        """The smallest and largest value a whole-number expression can take, when known: a
        constant, an input within its bounds (a year input is validated to 1000–9999), the
        year of a date (1–9999), and sums and differences of these with a constant."""
        node = self.in_place(node)
        if isinstance(node, ir.Const):
            return (node.value, node.value) if type(node.value) is int else None
        if isinstance(node, ir.Call):
            return node.func.int_range
        if isinstance(node, ir.Input) and node.type.kind in WHOLE_KINDS:
            decl = self.inputs.get(node.name)
            if decl is None:
                return None
            low, high = (1000, 9999) if node.type.kind == "year" else (None, None)
            if type(decl.minimum) is int:
                low = decl.minimum if low is None else max(low, decl.minimum)
            if type(decl.maximum) is int:
                high = decl.maximum if high is None else min(high, decl.maximum)
            return None if low is None or high is None else (low, high)
        if isinstance(node, ir.Arith) and node.impl is Impl.NUM and node.op in (Op.ADD, Op.SUB):
            left, right = self.int_range(node.left), self.int_range(node.right)
            if left is None or right is None:
                return None
            if node.op is Op.ADD:
                return left[0] + right[0], left[1] + right[1]
            return left[0] - right[1], left[1] - right[0]
        return None

    def in_place(self, node: Any) -> Any:
        """The expression read in place of an inlined rule (see `inlined`), else `node`."""
        while (isinstance(node, ir.Local) and node.id in self.inlined_ids) or isinstance(node, ir.InlinedRule):
            node = node.value if isinstance(node, ir.InlinedRule) else self.definitions[node.id].expr
        return node

    def eager(self, memo: set[str]) -> list[str]:
        """Memoised rules computed when a case starts, before any output: a `define` of
        inputs and constants only, that cannot fail (a date of the input year, a year of an
        input date). Computing one that turns out unused costs a few operations; every read
        of it is then `m[KEY]`, with no test."""
        return [d.id for d in self.definitions.values()
                if d.id in memo and d.kind == "define" and self.size(d.expr) <= 12
                and (all(self.surely_computable(n) for n in walk(d.expr)) or self.of_inputs(d.expr))]

    def of_inputs(self, node: Any) -> bool:
        """A choice or a test of inputs and constants that cannot fail (`if training = a
        or training = b then x else y`): computed when a case starts, it costs a few
        operations when unused."""
        return self.cannot_fail(node) and all(
            self.surely_computable(n) or isinstance(n, (ir.If, ir.Logic, ir.Compare))
            or (isinstance(n, ir.Unary) and n.op is Op.NOT) for n in walk(node))

    def surely_computable(self, node: Any) -> bool:
        """A node of an eager rule: a constant, an input, year/month/day of a date, or a date
        that surely exists."""
        if isinstance(node, ir.Input):  # not an optional input, which may be absent
            return node.name not in self.inputs or not self.inputs[node.name].optional
        if isinstance(node, (ir.Const, ir.ToDecimal)):
            return True
        if isinstance(node, ir.Call):
            return node.func.computable(self, node)
        return False

    def reads(self, id: str) -> set[str]:
        """The rules a rule reads, directly or through others (whichever branch is taken)."""
        out: set[str] = set()
        todo = [id]
        while todo:
            for node in walk(self.definitions[todo.pop()].expr):
                if isinstance(node, ir.Local) and node.id not in out:
                    out.add(node.id)
                    todo.append(node.id)
        return out

    def storable(self, d: ir.Definition) -> bool:
        """Whether a memoised rule may be computed where it is read, as
        `m.setdefault(KEY, EXPR)`, rather than by its function: its expression cannot fail
        (so no error would name another rule), has no fast form (see `fast_form`), builds no
        list, and its value needs no conversion (a rounding, a whole number to a Decimal)."""
        return (d.type.kind not in DECIMAL_KINDS and self.cannot_fail(d.expr)
                and not any(isinstance(n, ir.Comprehension) or self.fast_form(n) for n in walk(d.expr)))

    def stored(self, memo: set[str], eager: set[str]) -> set[str]:
        """The memoised rules computed where they are read: small and `storable`."""
        return {i for i in memo if i not in eager and self.size(self.definitions[i].expr) <= 12
                and self.storable(self.definitions[i])}

    @staticmethod
    def fast_form(node: Any) -> bool:
        """Whether a node may have a fast form that needs the exact one after it (see
        ModuleGenerator.definition): a date moved by a duration, a rounding."""
        return (isinstance(node, ir.Arith) and node.impl.moves_date) or (
            isinstance(node, ir.Call) and node.func.rounds)

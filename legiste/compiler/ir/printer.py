"""Readable rule text for the typed IR (stage 3): `show(expr)`, `show_definition(rule)`.

Consumes IR nodes (`ir/nodes.py`) and gives back text close to the rule language, with
parentheses only where precedence needs them, for debug output and error notes.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler.ir import nodes as n
from legiste.compiler.ir import user_rules as u
from legiste.compiler.ir.declarations import Definition
from legiste.compiler.ir.operators import Agg, P_ADD, P_AT, P_ATOM, P_CMP, P_IF, P_NEG, P_OR, Op
from legiste.compiler.runtime.values import display



def _short(qualified: str) -> str:
    return qualified.rpartition(".")[2]


def _const(node: n.Const) -> str:
    if isinstance(node.value, str) and node.type.kind == "text":
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node.value, bool):
        return "true" if node.value else "false"
    return display(node.value, node.type)


def _wrap(text: str, own: int, context: int) -> str:
    return f"({text})" if own < context else text


def _condition(item: n.Condition) -> str:
    text = show(item.expr)
    return text + "".join(f" unless {show(e.cond)}" for e in item.exceptions)


def _show(node: Any) -> tuple[str, int]:
    """(text, precedence) of a node: the caller parenthesises looser operands."""
    if isinstance(node, n.Const):
        return _const(node), P_ATOM
    if isinstance(node, n.Input):
        return node.name, P_ATOM
    if isinstance(node, n.Var):
        return node.name, P_ATOM
    if isinstance(node, n.Local):
        return _short(node.id), P_ATOM
    if isinstance(node, n.Param):
        if node.at is None:
            return _short(node.id), P_ATOM
        return f"{_short(node.id)} at {show(node.at, P_NEG)}", P_AT
    if isinstance(node, n.Unary):
        op = node.op
        space = " " if op is Op.NOT else ""
        return f"{op.symbol}{space}{show(node.operand, op.precedence)}", op.precedence
    if isinstance(node, (n.Arith, n.Logic, n.Compare)):
        op = node.op
        p = op.precedence
        if op.left_associative:  # a right operand of the same strength needs parentheses
            left, right = p, p + 1
        else:  # comparisons and `implies` do not chain: both sides bind tighter
            left = right = P_ADD if op.kind == "compare" else P_OR
        return f"{show(node.left, left)} {op.symbol} {show(node.right, right)}", p
    if isinstance(node, n.Between):
        return (f"{show(node.value, P_ADD)} between {show(node.low, P_ADD)} "
                f"and {show(node.high, P_ADD)}"), P_CMP
    if isinstance(node, n.If):
        return (f"if {show(node.cond)} then {show(node.then)} "
                f"else {show(node.otherwise)}"), P_IF
    if isinstance(node, n.Aggregate):
        head = f"at least {show(node.k, P_ADD)} of" if node.kind is Agg.AT_LEAST else node.kind.head
        if node.over is not None:
            return f"{head} {show(node.over, P_ATOM)}", P_ATOM
        return f"{head} [{', '.join(_condition(i) for i in node.items)}]", P_ATOM
    if isinstance(node, n.FirstOf):
        lines = [f"{show(b.cond)}: {show(b.value)}" for b in node.branches]
        if node.otherwise is not None:
            lines.append(f"otherwise {show(node.otherwise)}")
        return f"first of [{'; '.join(lines)}]", P_ATOM
    if isinstance(node, n.Call):
        return f"{node.func.name}({', '.join(show(a) for a in node.args)})", P_ATOM
    if isinstance(node, n.ListLit):
        return f"[{', '.join(show(i) for i in node.items)}]", P_ATOM
    if isinstance(node, n.RecordLit):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in node.fields) + "}", P_ATOM
    if isinstance(node, n.Field):
        return f"{show(node.record, P_ATOM)}.{node.name}", P_ATOM
    if isinstance(node, n.Comprehension):
        where = f" where {show(node.where)}" if node.where is not None else ""
        return f"[{show(node.body)} for each {node.var} in {show(node.source)}{where}]", P_ATOM
    if isinstance(node, u.Element):  # the element of a record rule (ir/user_rules.py)
        return "element", P_ATOM
    if isinstance(node, u.RuleOf):
        return f"{show(node.element, P_ATOM)}.{_short(node.id)}", P_ATOM
    if isinstance(node, u.Arg):
        return node.name, P_ATOM
    if isinstance(node, u.Apply):
        return f"{_short(node.id)}({', '.join(show(a) for a in node.args)})", P_ATOM
    if isinstance(node, u.InlinedRule):
        return f"inlined {node.name}({show(node.value)})", P_ATOM
    # The lowered forms (ir/passes/lowering.py), which no rule writes: shown as calls.
    if isinstance(node, n.AsOf):
        return "as_of", P_ATOM
    if isinstance(node, n.RoundToCent):
        return f"to_cent({show(node.value)})", P_ATOM
    if isinstance(node, n.ToDecimal):
        return f"as_decimal({show(node.value)})", P_ATOM
    if isinstance(node, n.Exactly):
        return f"exactly({show(node.value)})", P_ATOM
    if isinstance(node, n.RatOf):
        return _show(node.value)
    if isinstance(node, n.RatArith):
        p = node.op.precedence
        return f"{show(node.left, p)} {node.op.symbol} {show(node.right, p + 1)}", p
    if isinstance(node, n.RatMean):
        return f"mean({show(node.values)})", P_ATOM
    if isinstance(node, n.RatIf):
        return (f"if {show(node.cond)} then {show(node.then)} "
                f"else {show(node.otherwise)}"), P_IF
    if isinstance(node, n.Condition):
        return _condition(node), P_IF
    if isinstance(node, n.Branch):
        return f"{show(node.cond)}: {show(node.value)}", P_IF
    if isinstance(node, n.Exception_):
        return f"unless {show(node.cond)}", P_IF
    return repr(node), P_ATOM  # a node kind added later still prints, if not prettily


def show(node: Any, context: int = P_IF) -> str:
    """The rule text of an IR node, parenthesised if it binds looser than `context`."""
    text, own = _show(node)
    return _wrap(text, own, context)


def show_definition(d: Definition) -> str:
    """`define NAME = EXPR` / `output NAME = EXPR`, as one line."""
    return f"{d.kind} {d.name} = {show(d.expr)}"

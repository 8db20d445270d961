"""Limits of a checked program (stage 2, after checking; consumes the ir.Program).

The front end bounds the nesting of one expression (legiste/dsl/limits.py). A rule that
reads a rule that reads a rule… nests too: the interpreter, the explanation and a generated
module evaluate the chain recursively, so a chain of 600 defines overflowed the stack at
evaluation time although it checked. Here the depth of every rule, counting the rules it
reads, is computed iteratively and bounded, with a located error at the rule that goes
past the bound.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.walk import children
from legiste.dsl.diagnostics import Diagnostic, error

# Depth of nested IR nodes through every rule read. The seed policies reach about 30;
# the recursive stages stay far within Python's stack at this bound (see the tests).
MAX_RULE_DEPTH = 160


def _reads(expr: Any) -> list[tuple[str, int]]:
    """(id of each rule read, the depth at which it is read) in one rule's expression, and
    (\"\", depth) for the deepest node, found without recursion."""
    found: list[tuple[str, int]] = []
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ir.Local):
            found.append((node.id, depth))
        else:
            found.append(("", depth))
        stack.extend((child, depth + 1) for child in children(node))
    return found


def check_rule_depth(program: ir.Program) -> list[Diagnostic]:
    """An E005 error for each rule whose evaluation nests deeper than MAX_RULE_DEPTH."""
    rules = {d.id: d for unit in program.units.values() for d in unit.definitions}
    reads = {rid: _reads(rule.expr) for rid, rule in rules.items()}
    depth: dict[str, int] = {}
    for start in rules:  # post-order over the (acyclic: E105) graph of rule reads
        stack = [start]
        while stack:
            rid = stack[-1]
            if rid in depth:
                stack.pop()
                continue
            pending = [r for r, _ in reads[rid] if r and r in rules and r not in depth]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            depth[rid] = max(d + (depth.get(r, 0) if r else 0) for r, d in reads[rid])
    return [error("E005", f"'{rule.name}' nests {depth[rid]} levels deep, counting the rules it "
                  f"reads (at most {MAX_RULE_DEPTH})", rule.span,
                  hints=["a chain of rules this long is evaluated recursively; compute the "
                         "steps with `sum`, a list or fewer intermediate rules"])
            for rid, rule in rules.items() if depth[rid] > MAX_RULE_DEPTH]

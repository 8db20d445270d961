"""Légiste's compiler: from the surface AST to evaluable, explainable policies.

    legiste.dsl.ast.Module ─ modules.py (use, cycles) ─▶ parsed program
                   ─ check.py + typecheck.py (names, types, units, citations) ─▶ ir.Program
    ir.Program ─┬─ evaluate.py (closures, Decimal money) ─▶ outputs
                ├─ explain.py ─▶ trace.v1 explanation tree
                └─ backends/ (one module per target)

Each stage reads the previous stage's output only; `api.py` strings them together
for embedding, `cli.py` for the `legiste` command.
"""

"""Légiste's compiler: from the surface AST to evaluable, explainable policies.

    legiste.dsl.ast.Module ─ resolution/ (use, module roots, cycles, source texts) ─▶ Loaded
                   ─ checking/ (names, types, units, citations) ─▶ ir.Program
                   ─ ir/passes/lowering.py (dated reads, coercions, rounding) ─▶ lowered IR
    ir.Program ─┬─ interpreter/ (evaluate.py closures, explain.py trace.v1, inputs.py)
                ├─ backends/ (json_ir.py, json_schema.py, python/: a standalone module)
                └─ tools/ (examples, verify, coverage) and faces/ (cli.py, serve.py)
    interpreter/ and backends/python/ share runtime/ (standard library only, one copy).

Each stage reads the previous stage's output only; `pipeline.py` strings the front
stages together, `api.py` wraps it with the interpreter for embedding, `faces/cli.py`
for the `legiste` command (docs/contributing.md draws the whole layout).
"""

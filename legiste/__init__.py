"""Légiste: a declarative policy-as-code language and its compiler.

The public embedding API:

    from legiste import Policy
    policy = Policy.load("policies/be/brussels/telesecretariat.legis")
    values = policy.validate({"request_date": "2024-03-15", …})   # typed inputs, or DiagnosticError
    result = policy.evaluate({"request_date": "2024-03-15", …})   # Result: .outputs, .to_json()
    result = policy.explain({…})                                   # the same, with its explanation

For tools that work on files being written (a language server): `compile_source(path)`
gives a `Compilation` (diagnostics, symbols, and the IR of the rules that checked).

The packages below are the pipeline, one stage each: `legiste.dsl` (text → AST), then
`legiste.compiler` (resolution → checking → IR → interpreter / backends → tools → faces).
"""

from legiste.compiler.api import Policy, Result, compile_file
from legiste.compiler.pipeline import Compilation, compile_source
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError

__all__ = ["Compilation", "Diagnostic", "DiagnosticError", "Policy", "Result", "compile_file",
           "compile_source"]

"""Generated Python: a policy compiled to one standalone module (standard library only).

    legiste compile policies/be/brussels/telesecretariat.legis --target python -o telesecretariat.py

    import telesecretariat
    telesecretariat.evaluate({"request_date": "2024-03-15", …})
    # {"policy": …, "as_of": "2024-03-15", "outputs": {"eligible": True, "intervention": "3700.00"}}
    telesecretariat.explain(case)          # the same JSON, with the trace.v1 "explanation"

The module reproduces the interpreter (compiler/interpreter/evaluate.py) and the explanation
(compiler/interpreter/explain.py) exactly: the same input validation and messages, the same
outputs to the cent, the same trace.v1 tree, the same run-time errors located at the
same rule (FILE:LINE:COLUMN of the .legis file). It is straight-line code: one Python
function per definition (memoised in the evaluation's dict when it is read more than
once), IR expressions compiled to Python expressions (aggregates to `and`/`or` chains,
`first of` to conditional chains, comprehensions to list comprehensions), one function
per parameter with a per-date cache.

What makes it fast, each kept exact:
- a small `define` that cannot raise an arithmetic error is inlined where it is read;
- a memoised rule is read in place (`m[KEY] if KEY in m else rule(v, m)`), no call; a
  small one that cannot fail is computed there when it is not yet (`m.setdefault(KEY, …)`),
  and a rule of the inputs that cannot fail (`date(prime_year, 1, 1)`) as a case starts;
- the outputs no rule reads are computed in `compute`/`evaluate` themselves (no call), in
  their fast forms; should one raise an ArithmeticError, the case is computed again by the
  rules' functions, whose exact paths decide (and locate the error);
- a `date(y, m, d)` that surely exists (a year of the calendar, a day every such month
  has) is the constructor itself; a `count of` a list is a loop, or `len([1 for … if …])`;
  a `(if c then "a" else "b") = "a"` is `c`; an average of a list tested not empty is
  `sum / len`;
- a division by a non-zero constant is a plain Decimal division;
- an output amount is rounded in each branch of its `if`/`first of` (constants rounded here);
- a rounding to 1, 0.1, 0.01… of an amount computed by Decimal arithmetic is one
  `quantize`, and a date plus a constant number of days one `timedelta`: the rule then
  has a fast expression and, should it raise an ArithmeticError (more digits than the
  context holds, a date beyond year 9999), the exact expression evaluated again;
- a comprehension computed on both sides of `and`/`or` is built once (`:=`);
- valid inputs of the common JSON forms are accepted by one test each; anything else
  goes through the full conversion, with the interpreter's messages.

Layout: generator.py assembles the module; expressions.py compiles IR expressions (with
what analysis.py knows of them: Decimal or not, can it fail, how often read); the
explanation helpers come from explanation.py, `validate` from validation.py; tables.py
numbers spans, quotes, types and constants, and syntax.py makes names and texts safe.
runtime.py is the runtime every module carries: a real module, copied as it is.

Safety: nothing of the policy is pasted into code as is. Every text (titles, quotes,
descriptions, enumeration values, file names) is emitted with repr() or as a JSON
literal; comments escape every character that could end a line; identifiers are
ASCII, prefixed (`rule_`, `param_`) and made unique, so a rule named `class`,
`evaluate` or `print` cannot clash with a keyword, a builtin or the module's API.
"""

from legiste.compiler.backends.python.generator import GENERATOR_VERSION, generate

__all__ = ["generate", "GENERATOR_VERSION"]

"""The explanation's format (trace.v1): one JSON node per rule, input, condition or line.

Pipeline stage: runtime (explanation). The interpreter's `Trace` (compiler/interpreter/
explain.py) and a generated module's `_Trace` (backends/python/runtime.py) each hold a
node their own way (IR types and spans, or indexes of the module's tables); both write it
with `_trace_json`, which every generated module carries (generator.py RUNTIME_MODULES).
Standard library only.
"""


def _trace_json(kind, rule, value, short, location, citations, detail, children):
    """One node of trace.v1: `value` already in its JSON form (None: no value), `short`
    the type's name, `location` a span's JSON, `citations` (quote, source, verified)
    triples, `children` the JSON of the nodes it read."""
    return {
        "kind": kind, "rule": rule, "value": value, "type": short, "location": location,
        "citations": [{"quote": q, "source": s, "verified": v} for q, s, v in citations],
        "detail": detail, "children": children,
    }

"""The words of input problems (E500–E505, E507), one text for the interpreter and every
generated module.

Pipeline stage: runtime (input validation). Consumed by compiler/interpreter/inputs.py and
copied, as it is, into every generated module (compiler/backends/python/generator.py
RUNTIME_MODULES), whose `validate` (backends/python/runtime.py, validation.py) words
each problem with these functions: the two cannot drift apart. Standard library only.
"""

from legiste.compiler.runtime.conversions import _Invalid, _did_you_mean

_NOT_AN_OBJECT = "the input must be a JSON object of fields"
_NOT_AN_OBJECT_HINT = 'e.g. {"request_date": "2024-03-15", …}'


def _missing_message(names):
    """E500: the inputs a case lacks, all in one message."""
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"missing input{'s' if len(names) > 1 else ''} {quoted}"


def _missing_note(name, expected, description, declared):
    """E500's note on one missing input: what it is and where it is declared."""
    about = f" — {description}" if description else ""
    return f"'{name}': {expected}{about} (declared at {declared})"


def _unknown_message(key, policy_id):
    """E504: a field that is no input of the policy."""
    return f"'{key}' is not an input of {policy_id}"


def _unknown_hints(key, names):
    """E504's hints: the inputs closest to the key, else all of them."""
    return _did_you_mean(key, names) or ["inputs: " + ", ".join(names)]


def _bad_input_message(name, message, expected):
    """E501/E502/E506…: an input whose value its type refuses (`message` says why)."""
    return f"input '{name}': {message}; expected {expected}"


def _out_of_bounds_message(name, shown, limit, below):
    """E503: an input beyond the minimum (`below`) or the maximum the policy declares."""
    return f"input '{name}' is {shown}, {'below its minimum' if below else 'above its maximum'} {limit}"


def _field_problem(exc, name):
    """A record's field whose value its type refuses, as the problem of the record."""
    return _Invalid(exc.code, f"field '{name}': {exc.message}", exc.hint)


def _field_beyond(name, shown, limit):
    """E503: a record's field beyond the bound the record declares."""
    return _Invalid("E503", f"field '{name}' is {shown}, beyond its bound {limit}")


def _requirement_unmet(message, shown):
    """The text of E507: a `require` the case breaks, with the values it read (name, text)."""
    values = ", ".join(f"{name} = {text}" for name, text in shown)
    return f"input constraint not met: {message}" + (f" ({values})" if values else "")

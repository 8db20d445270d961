"""Python syntax for generated code: safe comments and identifiers, operator precedence,
literals.

Nothing of a policy is pasted into generated code as is: a text goes through `comment`
(inside a `#` comment) or repr() / `json_literal` (as a value), and a name through
`Names.make` (ASCII, prefixed, unique, never a keyword or a builtin).
"""

from __future__ import annotations

import builtins
import json
import keyword
import pprint
from typing import Any

from legiste.compiler.ir.operators import Op


def comment(text: str) -> str:
    """Text safe inside a `#` comment: every character that could end the line escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def ascii_name(name: str) -> str:
    """A name as ASCII identifier characters (any other character as `_uXXXX_`)."""
    out = []
    for c in name:
        if c.isascii() and (c.isalnum() or c == "_"):
            out.append(c)
        else:
            out.append(f"_u{ord(c):04x}_")
    return "".join(out) or "_"


RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))


class Names:
    """Unique, safe Python identifiers for the policy's names."""

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED)

    def make(self, prefix: str, name: str) -> str:
        """`prefix` + the name in ASCII, with a number added if it is taken."""
        base = prefix + ascii_name(name)
        candidate, n = base, 2
        while candidate in self.used or keyword.iskeyword(candidate):
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


# The Python operator of each comparison.
CMP = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}

# Python operator precedence (higher binds tighter), for minimal parentheses.
P_IF, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_POSTFIX, P_ATOM = \
    1, 2, 3, 4, 5, 10, 11, 12, 15, 16


def wrap(code: tuple[str, int], needed: int) -> str:
    """The code of an expression, in parentheses if it binds less tightly than `needed`."""
    text, prec = code
    return text if prec >= needed else f"({text})"


def json_literal(data: Any) -> str:
    """A JSON-compatible value as a readable Python literal (strings via repr)."""
    plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return pprint.pformat(plain, indent=1, width=100, sort_dicts=False)

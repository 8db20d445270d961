"""Generic traversal of the typed IR (stage 3): children, pre-order walk, bottom-up transform.

Consumes IR nodes (`ir/nodes.py`). Driven by each node's attrs fields, not by per-class
code, so a new node kind is walked and rebuilt without touching this module.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, get_args

import attrs

from legiste.compiler.ir import nodes as n
from legiste.compiler.ir.user_rules import EXPRESSIONS as USER_RULES

# The nodes a walk visits: every expression, and the pieces aggregates and `first of` hold.
NODES: tuple[type, ...] = get_args(n.Expr) + USER_RULES + (n.Condition, n.Exception_, n.Branch)

# Metadata, never sub-expressions: a rebuild keeps them as they are.
_META = frozenset({"span", "cites", "type"})


def _node_fields(node: Any) -> Iterator[attrs.Attribute]:
    for attribute in attrs.fields(type(node)):
        if attribute.name not in _META:
            yield attribute


def _items(value: Any) -> Iterator[Any]:
    # A field holds a node, None, a tuple of nodes, or a record's (name, node) pairs.
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, tuple) and len(item) == 2:
            item = item[1]
        if isinstance(item, NODES):
            yield item


def children(node: Any) -> list[Any]:
    """The IR nodes directly under `node`, in field order."""
    return [item for attribute in _node_fields(node)
            for item in _items(getattr(node, attribute.name))]


def walk(node: Any) -> Iterator[Any]:
    """`node` and every node under it, pre-order (a node before its children)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def _rebuild(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, NODES):
        return transform(value, fn)
    if isinstance(value, tuple):
        items = []
        for item in value:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], NODES):
                items.append((item[0], transform(item[1], fn)))
            else:
                items.append(_rebuild(item, fn))
        return tuple(items)
    return value


def transform(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Rebuild `node` bottom-up: children first, then `fn` on the rebuilt node.

    Unchanged subtrees are returned as the same objects; rebuilt nodes keep their span,
    citations and type (`attrs.evolve`), so diagnostics still point at the rule file.
    """
    changes = {}
    for attribute in _node_fields(node):
        value = getattr(node, attribute.name)
        rebuilt = _rebuild(value, fn)
        if rebuilt is not value and not _same(rebuilt, value):
            changes[attribute.alias] = rebuilt
    return fn(attrs.evolve(node, **changes) if changes else node)


def _same(a: Any, b: Any) -> bool:
    # Identity, element by element: equality ignores spans, so it cannot tell a rebuild.
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_same(x, y) for x, y in zip(a, b))
    return a is b

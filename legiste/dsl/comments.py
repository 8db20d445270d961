"""Comments: what the lexer saw after `#`, attached to the line of the AST they belong to.

The parser collects every comment of a declaration (the lexer's COMMENT tokens, which
follow code on a line, and the comment lines the newline token spans); `attach` then
gives each one to a line node of the declaration: a comment on a line of its own goes
`before` the next line node, one after code goes `after` the node that line starts
with. Comment lines after a declaration's last line belong to the next declaration
(or to the end of the file). A formatter, the docs and a language server read them
from `Commented.comments` of each node; comments take no part in AST equality.
"""

from __future__ import annotations

import bisect
from typing import Any, Iterable, Iterator

import attrs

from legiste.dsl import ast


def children(node: Any) -> Iterator[Any]:
    """The AST nodes directly inside a node, in field (that is, source) order."""
    for field in attrs.fields(type(node)):
        if field.name in ("span", "comments"):
            continue
        yield from _nodes(getattr(node, field.name))


def _nodes(value: Any) -> Iterator[Any]:
    if attrs.has(type(value)):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes(item)


def walk(node: Any) -> Iterator[Any]:
    """A node and every node inside it, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


def comments_in(nodes: Iterable[Any]) -> list[ast.Comment]:
    """Every comment attached to these nodes or to a node inside them, in source order."""
    found = [c for n in nodes for sub in walk(n) if isinstance(sub, ast.LINE_NODES)
             for c in (*sub.comments.before, *sub.comments.after)]
    return sorted(found, key=lambda c: (c.span.line, c.span.column))


def module_comments(module: ast.Module) -> list[ast.Comment]:
    """Every comment of a parsed file, in source order."""
    decls = [module.header] if module.header else []
    return comments_in([*decls, *module.declarations]) + list(module.comments)


def attach(decl: Any, comments: list[tuple[ast.Comment, bool]],
           pending: list[ast.Comment]) -> tuple[Any, list[ast.Comment]]:
    """The declaration with its comments attached, and the comment lines left after its
    last line (for the next declaration). `comments` holds (comment, own_line) in source
    order; `pending` are comment lines from before the declaration."""
    anchors = [n for n in walk(decl) if isinstance(n, ast.LINE_NODES)]
    anchors.sort(key=lambda n: n.span.line)  # stable: the outermost node of a line first
    lines = [n.span.line for n in anchors]
    before: dict[int, list[ast.Comment]] = {id(decl): list(pending)}
    after: dict[int, list[ast.Comment]] = {}
    left: list[ast.Comment] = []
    for comment, own_line in comments:
        line = comment.span.line
        if own_line:
            i = bisect.bisect_right(lines, line)
            if i == len(anchors):
                left.append(comment)
            else:
                before.setdefault(id(anchors[i]), []).append(comment)
        else:
            # The first node starting on the comment's line, else the one the line continues.
            i = bisect.bisect_left(lines, line)
            if i == len(anchors) or lines[i] != line:
                i -= 1
            after.setdefault(id(anchors[i]), []).append(comment)

    def rebuild(node: Any) -> Any:
        changes = {}
        for field in attrs.fields(type(node)):
            if field.name in ("span", "comments"):
                continue
            value = getattr(node, field.name)
            new = _rebuild_value(value, rebuild)
            if new is not value:
                changes[field.name] = new
        key = id(node)
        if isinstance(node, ast.LINE_NODES) and (key in before or key in after):
            changes["comments"] = ast.Comments(tuple(before.get(key, ())),
                                               tuple(after.get(key, ())))
        return attrs.evolve(node, **changes) if changes else node

    return rebuild(decl), left


def _rebuild_value(value: Any, rebuild: Any) -> Any:
    if attrs.has(type(value)):
        return rebuild(value)
    if isinstance(value, tuple):
        items = tuple(_rebuild_value(v, rebuild) for v in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    return value

"""Keyword table of the surface language (front end, read by the grammar check and the parser).

One mapping per language, from a keyword's role to the word the author writes.  Only
English exists today; a second language adds its own mapping with the same roles.  The
grammar (grammar.lark) still spells the English words inline because Lark needs literals;
`check_grammar` keeps the two in step, so a word can neither be added to the grammar
without entering the table nor linger in the table once the grammar drops it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# role -> English word.  Roles are stable identifiers; the words are what people write.
_ENGLISH_WORDS: dict[str, str] = {
    # declarations
    "policy": "policy", "module": "module", "use": "use", "as": "as",
    "input": "input", "parameter": "parameter", "series": "series", "enum": "enum",
    "record": "record", "define": "define", "output": "output", "invariant": "invariant",
    "example": "example", "require": "require",
    # header and declaration items
    "title": "title", "authority": "authority", "source": "source", "url": "url",
    "note": "note", "from": "from", "until": "until", "indexed": "indexed", "by": "by",
    "period": "period", "list": "list", "one": "one", "optional": "optional",
    # blocks and sugar
    "all": "all", "any": "any", "count": "count", "at": "at", "least": "least",
    "most": "most", "of": "of", "first": "first", "when": "when",
    "otherwise": "otherwise", "unless": "unless", "in": "in", "monotone": "monotone",
    "increasing": "increasing", "decreasing": "decreasing",
    # decision tables
    "table": "table", "hit": "hit", "row": "row",
    # examples
    "on": "on", "given": "given", "expect": "expect", "error": "error", "extends": "extends",
    # expressions
    "if": "if", "then": "then", "else": "else", "implies": "implies", "or": "or",
    "and": "and", "not": "not", "between": "between", "true": "true", "false": "false",
    "for": "for", "each": "each", "where": "where", "is": "is",
}

# role -> unit word written after a number.
_ENGLISH_UNITS: dict[str, str] = {
    "euro": "EUR", "euro_sign": "€", "percent": "%", "day": "day", "days": "days",
    "month": "month", "months": "months", "year": "year", "years": "years",
}

KEYWORDS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": MappingProxyType(_ENGLISH_WORDS),
})
"""Language code -> (role -> keyword)."""

UNITS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": MappingProxyType(_ENGLISH_UNITS),
})
"""Language code -> (role -> unit word)."""

# Roles of the keywords that act as binary operators (named in syntax error messages).
OPERATOR_ROLES: tuple[str, ...] = ("and", "or", "implies", "between")

DEFAULT_LANGUAGE = "en"


def words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Every keyword and unit word of `language`."""
    return frozenset(KEYWORDS[language].values()) | frozenset(UNITS[language].values())


def unit_words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """The unit words of `language` (written after a number)."""
    return frozenset(UNITS[language].values())


def operator_words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """The keywords of `language` that are binary operators."""
    return frozenset(KEYWORDS[language][role] for role in OPERATOR_ROLES)


# A quoted literal in the grammar made of letters (keywords) or one of the unit signs.
_LITERAL = re.compile(r'"([^"\\\s]+)"')
_SIGNS = frozenset({"€", "%"})


def grammar_words(grammar: str) -> frozenset[str]:
    """The keyword and unit literals written in a Lark grammar text (comments skipped)."""
    found: set[str] = set()
    for line in grammar.splitlines():
        code = line.split("//", 1)[0]
        for literal in _LITERAL.findall(code):
            if literal.isalpha() or literal in _SIGNS:
                found.add(literal)
    return frozenset(found)


def check_grammar(grammar: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Differences between the grammar's literals and the table; empty when in step."""
    table, written = words(language), grammar_words(grammar)
    problems = [f"grammar word {w!r} is missing from the keyword table"
                for w in sorted(written - table)]
    problems += [f"keyword {w!r} of the table is not in the grammar" for w in sorted(table - written)]
    return problems

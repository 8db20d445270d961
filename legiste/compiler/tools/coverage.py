"""Coverage of the law: which sentences of a source text no rule quotes.

A reviewer reads the uncited sentences to check that nothing the law states was
left out of the policies (or to confirm that it states no rule).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.resolution.citations import normalise

MIN_RUN = 25  # characters a quote and a sentence must share to count as a citation


@frozen
class SentenceCoverage:
    source: str
    line: int
    text: str
    cited_by: tuple[str, ...]  # policy ids


def sentences(text: str) -> list[tuple[int, str]]:
    """(line, sentence) pairs of a text: split at sentence ends, line breaks and bullets."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        for part in re.split(r"(?<=[.!?])\s+|\s*[•➤]\s*|\t", line):
            part = part.strip(" -–")
            if len(part) >= 12 and re.search(r"[A-Za-zÀ-ÿ]{3}", part):
                out.append((number, part))
    return out


def _cites(program: ir.Program) -> list[tuple[str, str]]:
    """(source file, quote) of every verified citation of a program."""
    found: list[tuple[str, str]] = []

    def visit(node: object) -> None:
        for cite in getattr(node, "cites", ()) or ():
            if isinstance(cite, ir.Citation) and cite.verified:
                found.append((cite.source, cite.quote))
        for attribute in getattr(type(node), "__attrs_attrs__", ()):
            value = getattr(node, attribute.name)
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if hasattr(type(item), "__attrs_attrs__") and not isinstance(item, ir.Citation):
                    visit(item)

    for unit in program.units.values():
        for collection in (unit.inputs, unit.definitions, unit.invariants, unit.examples,
                           tuple(unit.parameters.values()), tuple(unit.series.values())):
            for node in collection:
                visit(node)
    return found


def coverage(programs: list[ir.Program], texts: dict[str, Path]) -> list[SentenceCoverage]:
    """Every sentence of every source text, with the policies that quote it."""
    quotes: dict[str, list[tuple[str, str]]] = {}
    for program in programs:
        for source, quote in _cites(program):
            quotes.setdefault(source, []).append((program.root, normalise(quote)))
    result = []
    for source, path in sorted(texts.items()):
        for line, sentence in sentences(path.read_text(encoding="utf-8")):
            target = normalise(sentence)
            by = []
            for policy, quote in quotes.get(source, []):
                if quote in target or target in quote:
                    by.append(policy)
                    continue
                match = difflib.SequenceMatcher(None, target, quote, autojunk=False).find_longest_match()
                if match.size >= min(MIN_RUN, len(target)):
                    by.append(policy)
            result.append(SentenceCoverage(source, line, sentence, tuple(dict.fromkeys(by))))
    return result

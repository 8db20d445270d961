"""Checking stage: source texts and citations of one file.

Consumes the header's `source` lines and every `§ "…"` of an `ast.Module`; reads the
texts through `legiste.compiler.resolution.citations` and yields `ir.Source` and
verified `ir.Citation` values (E300-E302, W301).
"""

from __future__ import annotations

from typing import Iterable

from legiste.compiler import ir
from legiste.compiler.checking.state import UnitState
from legiste.compiler.resolution.citations import (SourceRefused, closest_passage, find_source,
                                                    load_source, quote_found)
from legiste.dsl import ast
from legiste.dsl.diagnostics import did_you_mean, error, warning


class CitationChecks(UnitState):
    """Declares the sources of a file and verifies its quotes against them."""

    def _sources(self) -> None:
        for source in self.header.sources:
            if source.name in self.sources:
                self.report("E101", f"source '{source.name}' is declared twice", source.span)
                continue
            if source.file is None:
                if source.url is None:
                    self.report("E004", f"source '{source.name}' needs a file or a url", source.span,
                                hints=['source law "file.txt" url "https://…"'])
                self.sources[source.name] = ir.Source(source.name, None, source.url, False)
                continue
            try:
                path = find_source(source.file, self.config.sources)
                if path is not None:
                    load_source(path)  # read once here, so that a bad text is located here
            except SourceRefused as exc:
                self.report(exc.code, exc.message, source.span, hints=[exc.hint])
                path = None
            self.sources[source.name] = ir.Source(source.name, source.file, source.url, path is not None)
            if path is not None:
                self.source_paths[source.name] = path

    def cites(self, cites: Iterable[ast.Cite]) -> tuple[ir.Citation, ...]:
        out = []
        for cite in cites:
            if cite.source is not None and cite.source not in self.sources:
                self.report("E302", f"unknown source '{cite.source}'", cite.span,
                            hints=did_you_mean(cite.source, self.sources) or
                            ['declare it in the header: source law "file.txt"'])
                continue
            if cite.source and self.sources[cite.source].file is None:
                # An external source (url only): the quote is kept, marked unverifiable.
                out.append(ir.Citation(cite.quote, self.sources[cite.source].url or cite.source,
                                       False, span=cite.span))
                continue
            names = [cite.source] if cite.source else [n for n, s in self.sources.items() if s.file]
            if not names:
                self.report("E302", "this file declares no source text to check the quote against",
                            cite.span, hints=['add to the header: source law "file.txt"',
                                              "or name an external source: § \"…\" in NAME"])
                continue
            out.append(self._verify(cite, names))
        return tuple(out)

    def _verify(self, cite: ast.Cite, names: list[str]) -> ir.Citation:
        missing = [n for n in names if n not in self.source_paths]
        for name in missing:
            if name not in self.warned_sources:
                self.warned_sources.add(name)
                make = error if self.config.strict else warning
                code = "E301" if self.config.strict else "W301"
                self.diagnostics.append(make(
                    code, f"source text '{self.sources[name].file}' not found: its quotes are "
                    "not verified", cite.span,
                    hints=["put the folder holding it on the sources path: LEGISTE_SOURCES or "
                           "[tool.legiste] sources in pyproject.toml"]))
        texts = [load_source(self.source_paths[n]) for n in names if n in self.source_paths]
        if not texts:
            return ir.Citation(cite.quote, self.sources[names[0]].file, False, span=cite.span)
        for name, text in zip([n for n in names if n in self.source_paths], texts):
            if quote_found(cite.quote, text):
                return ir.Citation(cite.quote, self.sources[name].file, True, span=cite.span)
        hints = [f"found verbatim in source {other}: write § \"…\" in {other}"
                 for other, path in self.source_paths.items()
                 if other not in names and quote_found(cite.quote, load_source(path))]
        for name, text in zip([n for n in names if n in self.source_paths], texts):
            if hints:
                break  # the quote is right, its source is not: no closest passage to offer
            closest = closest_passage(cite.quote, text)
            if closest:
                hints.append(f"closest passage ({self.sources[name].file}, line {closest[1]}): "
                             f"\"{closest[0]}\"")
        self.report("E300", "this quote is not in the source text", cite.span,
                    hints=hints or ["copy the sentence from the source text"])
        return ir.Citation(cite.quote, self.sources[names[0]].file, False, span=cite.span)

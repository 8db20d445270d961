"""Checking `§ "…"` quotes against the legal texts they cite.

Quotes are compared after normalising what copy-and-paste changes: whitespace,
apostrophes, quote marks, dashes, non-breaking spaces. A quote that is not in the
text is an error that shows the closest passage, so the analyst can fix a typo at once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from attrs import frozen

_TRANSLATE = str.maketrans({
    "’": "'", "‘": "'", "‛": "'", "`": "'", "´": "'", "ʼ": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‟": '"',
    "–": "-", "—": "-", "‑": "-", "‐": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "…": "...",
})


def normalise(text: str) -> str:
    """The form in which quotes and source texts are compared."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r'\s*"\s*', '"', text)
    return text.strip()


@frozen
class SourceText:
    path: Path
    normalised: str
    words: tuple[tuple[str, int], ...]  # (word, line) in the original text


@lru_cache(maxsize=64)
def load_source(path: Path) -> SourceText:
    text = path.read_text(encoding="utf-8")
    words = tuple((w, n) for n, line in enumerate(text.splitlines(), 1) for w in line.split())
    return SourceText(path, normalise(text), words)


def find_source(file: str, sources_path: tuple[Path, ...]) -> Path | None:
    """The first `file` on the sources path."""
    for folder in sources_path:
        candidate = folder / file
        if candidate.is_file():
            return candidate
    return None


def quote_found(quote: str, source: SourceText) -> bool:
    return normalise(quote) in source.normalised


def closest_passage(quote: str, source: SourceText) -> tuple[str, int] | None:
    """The passage of the source most like the quote, and its line."""
    target = normalise(quote)
    size = max(len(target.split()), 1)
    best: tuple[float, int] = (0.0, -1)
    words = source.words
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in range(max(len(words) - size + 1, 1)):
        window = normalise(" ".join(w for w, _ in words[start:start + size]))
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, start)
    if best[1] < 0 or best[0] < 0.4:
        return None
    passage = " ".join(w for w, _ in words[best[1]:best[1] + size])
    return passage, words[best[1]][1]

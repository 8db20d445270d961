"""Checking `§ "…"` quotes against the legal texts they cite.

Quotes are compared after normalising what copy-and-paste changes: whitespace,
apostrophes, quote marks, dashes, non-breaking spaces. A quote that is not in the
text is an error that shows the closest passage, so the analyst can fix a typo at once.
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from attrs import field, frozen

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
    # Where each normalised word occurs (indexes into `words`): built once per text, so that
    # finding the closest passage to a misquote looks at a few windows, not at every one.
    positions: dict[str, list[int]] = field(factory=dict, eq=False, repr=False)


def _index(words: tuple[tuple[str, int], ...]) -> dict[str, list[int]]:
    by_word: dict[str, list[int]] = {}
    for i, (word, _) in enumerate(words):
        by_word.setdefault(word, []).append(i)
    positions: dict[str, list[int]] = {}  # distinct words are few: normalise each once
    for word, found in by_word.items():
        positions.setdefault(normalise(word), []).extend(found)
    return positions


class SourceRefused(Exception):
    """A `source` name that would read a file outside the sources path, or a text that
    cannot be read as UTF-8: `message` and `hint` say which and what to write instead."""

    def __init__(self, code: str, message: str, hint: str):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


_MAX_NAME = 255  # a file name longer than this exists on no common file system


@lru_cache(maxsize=64)
def load_source(path: Path) -> SourceText:
    """The text of a source file found by `find_source`; SourceRefused if not UTF-8."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceRefused(
            "E304", f"source text '{path.name}' is not UTF-8 (byte {exc.start} cannot be read)",
            "save the legal text as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from None
    except OSError as exc:
        raise SourceRefused("E304", f"source text '{path.name}' cannot be read: "
                            f"{exc.strerror or exc}", "check the file's permissions") from None
    words = tuple((w, n) for n, line in enumerate(text.splitlines(), 1) for w in line.split())
    return SourceText(path, normalise(text), words, _index(words))


def source_name_problem(file: str) -> str | None:
    """Why `file` cannot name a text *in* a sources folder, or None if it can.

    A source is a file found in one of the folders of the sources path; an absolute path,
    a `..` step or a drive would let a rule file read (and a misquote print) any file."""
    if not file or file.strip() != file:
        return "is empty or begins or ends with spaces"
    if len(file) > _MAX_NAME:
        return f"is {len(file)} characters long (at most {_MAX_NAME})"
    if any(ord(c) < 32 or ord(c) == 127 for c in file):
        return "holds a control character"
    if "\\" in file or ":" in file:
        return "holds a backslash or a colon (write folders with /)"
    if file.startswith("/"):
        return "is an absolute path"
    if any(part in ("..", ".", "") for part in file.split("/")):
        return "has a `..`, `.` or empty step"
    return None


def find_source(file: str, sources_path: tuple[Path, ...]) -> Path | None:
    """The first `file` on the sources path, or None; SourceRefused if the name would leave
    the sources folders (see `source_name_problem`), or is a symlink that leads out of one."""
    problem = source_name_problem(file)
    if problem is not None:
        raise SourceRefused("E303", f"source file name {file[:80]!r} {problem}",
                            "name a file found in a folder of the sources path, e.g. "
                            "source law \"000_084ce424bf47b386.txt\"")
    for folder in sources_path:
        candidate = folder / file
        if not candidate.is_file():
            continue
        root = folder.resolve()
        if not candidate.resolve().is_relative_to(root):
            raise SourceRefused("E303", f"source file '{file}' is a link that leads outside the "
                                f"sources folder {folder}",
                                "copy the text into the sources folder instead of linking it")
        return candidate
    return None


def quote_found(quote: str, source: SourceText) -> bool:
    return normalise(quote) in source.normalised


_CANDIDATES = 200  # windows compared character by character, those sharing most words


def closest_passage(quote: str, source: SourceText) -> tuple[str, int] | None:
    """The passage of the source most like the quote, and its line.

    A window has as many words as the quote. The windows that share the most words with the
    quote (counted through the text's word index) are compared character by character, and
    the most similar one wins (the first, on a tie): linear in the text's size, where
    comparing every window took 46 s for a 1.5 MB text."""
    target = normalise(quote)
    size = max(len(target.split()), 1)
    words = source.words
    starts = max(len(words) - size + 1, 1)
    # shared[s] = occurrences of the quote's words in the window starting at s (a
    # difference array: each occurrence at p counts for the windows starting in p-size+1..p).
    delta = [0] * (starts + 1)
    for word in set(target.split()):
        for p in source.positions.get(word, ()):
            delta[max(p - size + 1, 0)] += 1
            delta[min(p, starts - 1) + 1] -= 1
    shared, running = [], 0
    for start in range(starts):
        running += delta[start]
        shared.append(running)
    candidates = sorted(heapq.nlargest(_CANDIDATES, (s for s in range(starts) if shared[s]),
                                       key=lambda s: (shared[s], -s)))
    best: tuple[float, int] = (0.0, -1)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in candidates:
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

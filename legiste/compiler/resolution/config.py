"""Where a compilation looks for things: module roots (for `use`) and the sources path
(the legal texts that `§` quotes are checked against).

Both come from `[tool.legiste]` in the nearest pyproject.toml above the policy file,
plus the environment: `LEGISTE_SOURCES` and `LEGISTE_PATH`, colon-separated.
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path

from attrs import frozen

# The stdlib modules ship inside the package (legiste/stdlib), in a wheel as in a checkout;
# the package is always installed as files (setuptools' default), so this is a real folder.
BUNDLED_STDLIB = Path(str(resources.files("legiste").joinpath("stdlib")))


@frozen
class Config:
    module_roots: tuple[Path, ...]
    sources: tuple[Path, ...]
    strict: bool = False


def _find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if "legiste" in data.get("tool", {}):
                return candidate
    return None


def _env_paths(name: str) -> list[Path]:
    return [Path(p) for p in os.environ.get(name, "").split(os.pathsep) if p]


def load_config(policy_path: str | Path, *, strict: bool = False,
                extra_sources: tuple[Path, ...] = ()) -> Config:
    """The configuration that applies to a policy file."""
    start = Path(policy_path).resolve()
    start = start if start.is_dir() else start.parent
    roots: list[Path] = []
    sources: list[Path] = [*extra_sources, *_env_paths("LEGISTE_SOURCES")]
    pyproject = _find_pyproject(start)
    if pyproject is not None:
        settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["legiste"]
        base = pyproject.parent
        roots += [base / p for p in settings.get("modules", ["policies"])]
        sources += [base / p for p in settings.get("sources", [])]
    roots += _env_paths("LEGISTE_PATH")
    roots.append(BUNDLED_STDLIB)
    unique_roots = tuple(dict.fromkeys(r.resolve() for r in roots))
    return Config(unique_roots, tuple(dict.fromkeys(s.resolve() for s in sources)), strict)

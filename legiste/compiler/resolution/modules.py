"""Module resolution: from a policy file to every file it `use`s, cycles reported.

`use be.index` is looked up as `be/index.legis` under each module root (the project's
`stdlib/` and `policies/`, then `LEGISTE_PATH`, then the bundled stdlib).
"""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from legiste.compiler.resolution.config import Config
from legiste.compiler.resolution.headers import header_problems
from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.parser import parse_file, parse_module
from legiste.dsl.span import Span


@frozen
class Loaded:
    """The parsed files of one program, dependencies before dependents."""

    root: str
    modules: dict[str, ast.Module]
    order: tuple[str, ...]


def module_path(name: str, roots: tuple[Path, ...]) -> Path | None:
    relative = Path(*name.split(".")).with_suffix(".legis")
    for root in roots:
        if (root / relative).is_file():
            return root / relative
    return None


def _shown(path: Path) -> Path:
    """A module's path as diagnostics show it: relative to the working directory when it
    is under it (as the paths a user types are), absolute otherwise."""
    try:
        return path.relative_to(Path.cwd())
    except (ValueError, OSError):
        return path


def _policy_used(target: str, decl: ast.Use) -> Diagnostic:
    """E107: its rules read inputs no caller supplies, so it is refused here and nothing
    downstream ever evaluates a policy's rules as a module's."""
    return error("E107", f"'{target}' is a policy; a policy (a file with inputs and outputs) "
                 "cannot be used as a module", decl.module.span,
                 hints=["move the shared rules to a module (a file starting with "
                        "`module ...`) that both policies `use`"])


def load_program(path: str | Path, config: Config,
                 text: str | None = None) -> tuple[Loaded | None, list[Diagnostic]]:
    """Parse a policy (from `text` when given, named `path`) and, transitively, the
    modules it uses."""
    diagnostics: list[Diagnostic] = []
    modules: dict[str, ast.Module] = {}
    order: list[str] = []
    root_module, diags = parse_file(path) if text is None else parse_module(text, str(path))
    diagnostics += diags
    if root_module is not None:
        diagnostics += header_problems(root_module, not diags)
    if root_module is None or root_module.header is None:
        return None, diagnostics
    root = root_module.header.name.text

    def visit(module: ast.Module, stack: list[tuple[str, Span]]) -> None:
        name = module.header.name.text  # type: ignore[union-attr]
        modules[name] = module
        for decl in module.declarations:
            if not isinstance(decl, ast.Use):
                continue
            target = decl.module.text
            chain = [n for n, _ in stack] + [name]
            if target in chain:
                cycle = " → ".join(chain[chain.index(target):] + [target])
                diagnostics.append(error("E103", f"import cycle: {cycle}", decl.module.span,
                                         hints=["move what both files need into a third module"]))
                continue
            if target in modules:
                if modules[target].header.kind == "policy":  # type: ignore[union-attr]
                    diagnostics.append(_policy_used(target, decl))
                continue
            found = module_path(target, config.module_roots)
            if found is not None:
                found = _shown(found)
            if found is None:
                diagnostics.append(error(
                    "E102", f"module '{target}' not found", decl.module.span,
                    hints=[f"looked for {Path(*target.split('.')).with_suffix('.legis')} under: "
                           + ", ".join(str(_shown(r)) for r in config.module_roots)]))
                continue
            sub, sub_diags = parse_file(found)
            diagnostics.extend(sub_diags)
            if sub is not None:
                diagnostics.extend(header_problems(sub, not sub_diags))
            if sub is None or sub.header is None:
                continue
            if sub.header.name.text != target:
                diagnostics.append(error(
                    "E102", f"{found} declares '{sub.header.name.text}', not '{target}'",
                    decl.module.span, hints=["a file's header must match its path"]))
                continue
            if sub.header.kind == "policy":
                diagnostics.append(_policy_used(target, decl))
            visit(sub, stack + [(name, decl.span)])
        order.append(name)

    visit(root_module, [])
    return Loaded(root, modules, tuple(order)), diagnostics

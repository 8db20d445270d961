"""Checking stage: the state one file's checker shares between its parts.

Consumes nothing itself; `UnitChecker` (check.py) fills these tables from a parsed
`ast.Module`, and the parts in citations.py, declarations.py and examples.py read
and extend them. Declared here so that each part type-checks on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from legiste.compiler import ir
from legiste.compiler.checking.typecheck import ExprChecker
from legiste.compiler.ir.types import Type
from legiste.compiler.resolution.config import Config
from legiste.dsl import ast


class UnitState(ExprChecker):
    """The tables of one file being checked (filled by `UnitChecker.__init__`)."""

    module: ast.Module
    header: ast.Header
    id: str
    units: dict[str, ir.Unit]
    config: Config
    names: dict[str, tuple[str, Any]]  # name -> (kind, declaration)
    aliases: dict[str, str]  # `use` name or alias -> unit id
    enums: dict[str, Type]
    records: dict[str, Type]
    inputs: dict[str, ir.InputDecl]
    parameters: dict[str, ir.Parameter]
    series: dict[str, ir.Series]
    definitions: dict[str, ir.Definition]
    in_progress: list[str]
    sources: dict[str, ir.Source]
    source_paths: dict[str, Path]
    warned_sources: set[str]

    # Provided by `UnitChecker` and `DeclarationChecks`.
    def resolve_type(self, ref: ast.TypeRef, owner: str) -> Type:  # pragma: no cover
        raise NotImplementedError

    def _constant(self, node: ast.Expr, type_: Type, what: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def presumption(self, field: ast.InputField, type_: Type, bounds: dict[str, Any]
                    ) -> tuple[Any, bool]:  # pragma: no cover - checking/refusals.py
        raise NotImplementedError

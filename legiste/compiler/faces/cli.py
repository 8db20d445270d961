"""The `legiste` command: check rule files, evaluate a case, run a policy's examples.

Exit codes: 0 ok; 1 a problem in a rule file, an input or an example; 2 a usage error.
Problems are printed as located diagnostics (coloured on a terminal, plain otherwise);
a Python traceback never reaches the user.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from legiste.compiler.api import Policy, compile_file, parse_index_override
from legiste.compiler.resolution.config import load_config
from legiste.compiler.tools.examples import run_examples
from legiste.compiler.interpreter.explain import Trace
from legiste.compiler.runtime.values import display
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError, error, print_diagnostics
from legiste.dsl.span import Span

out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


def _rule_files(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.rglob("*.legis"))
        else:
            files.append(p)
    return files


class _Date(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        # fromisoformat alone takes 20240315 and 2024-W11-5 too; the docs promise YYYY-MM-DD.
        try:
            if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        self.fail(f"{value!r} is not a date of the calendar written YYYY-MM-DD", param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legiste")
def main() -> None:
    """Légiste: policy rules as code, checked against the law they quote."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat quotes whose source text is missing as errors.")
def check(paths: tuple[str, ...], strict: bool) -> None:
    """Check rule files (and the modules they use); report every problem."""
    files = _rule_files(paths)
    errors = warnings = 0
    seen: set[tuple[str, str, int, int]] = set()
    for file in files:
        _, diagnostics = compile_file(file, load_config(file, strict=strict))
        fresh = []
        for d in diagnostics:
            key = (d.code, d.span.file, d.span.line, d.span.column)
            if key not in seen:
                seen.add(key)
                fresh.append(d)
        print_diagnostics(fresh, err)
        errors += sum(d.is_error for d in fresh)
        warnings += sum(not d.is_error for d in fresh)
    summary = f"checked {len(files)} file{'s' * (len(files) != 1)}: {errors} error{'s' * (errors != 1)}, " \
              f"{warnings} warning{'s' * (warnings != 1)}"
    (err if errors else out).print(summary)
    sys.exit(1 if errors else 0)


def _policies(paths: Iterable[str], strict: bool, broken: list[Diagnostic]) -> Iterable[Policy]:
    """Every policy under the paths that compiles; the diagnostics of the others go to `broken`."""
    for file in _rule_files(paths):
        try:
            yield Policy.load(file, strict=strict)
        except DiagnosticError as exc:
            broken += exc.diagnostics


def _load(policy: str, strict: bool, index: tuple[str, ...] = ()) -> Policy:
    overrides = dict(parse_index_override(i) for i in index)
    loaded = Policy.load(policy, strict=strict, index_overrides=overrides)
    print_diagnostics(loaded.warnings, err)
    return loaded


def _tree(trace: Trace, tree: Tree | None = None) -> Tree:
    value = "?" if trace.value is None else display(trace.value, trace.type)
    label = f"[bold]{escape(trace.name)}[/bold] = [cyan]{escape(value)}[/cyan]"
    if trace.kind not in ("define", "output"):
        label += f"  [dim]({trace.kind})[/dim]"
    if trace.detail:
        label += f"  [italic]{escape(trace.detail)}[/italic]"
    for cite in trace.cites:
        mark = "" if cite.verified else " [yellow](unverified)[/yellow]"
        label += f"\n[green]§ “{escape(cite.quote)}”[/green] [dim]{escape(cite.source)}[/dim]{mark}"
    node = tree.add(label) if tree is not None else Tree(label)
    for child in trace.children:
        _tree(child, node)
    return node


def _utf8(data: bytes, name: str) -> str:
    """A case file's text: JSON is UTF-8 (a BOM is allowed); anything else is E505, located."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DiagnosticError([error(
            "E505", f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)",
            Span(name, line, column, line, column + 1),
            hints=["a JSON case is UTF-8: re-save it so (e.g. iconv -f latin1 -t utf-8)"])]) from None


@main.command(name="eval")
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--input", "input_file", required=True, type=click.File("rb"),
              help="A JSON file with one case (or - for standard input).")
@click.option("--on", "on", type=_Date(), help="Assess the case on this date: the policy's `as of` input takes it (its year, for a year input).")
@click.option("--explain", is_flag=True, help="Show why each output has its value.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--index", multiple=True, metavar="SERIES=PERIOD:VALUE",
              help="Supply an index value the stdlib does not publish yet.")
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
def eval_(policy: str, input_file: Any, on: dt.date | None, explain: bool, as_json: bool,
          index: tuple[str, ...], strict: bool) -> None:
    """Evaluate POLICY on one case."""
    loaded = _load(policy, strict, index)
    name = "<stdin>" if input_file.name in ("<stdin>", "-") else input_file.name
    values = loaded.validate_json(_utf8(input_file.read(), name), name)
    result = loaded.run(values, on=on, explain_it=explain)
    if as_json:
        out.print_json(json.dumps(result.to_json(), ensure_ascii=False), indent=2)
        return
    out.print(f"[bold]{escape(result.policy)}[/bold] as of {result.as_of}")
    for key, value in result.outputs.items():
        out.print(f"  {escape(key)} = [cyan]{escape(display(value, result.types[key]))}[/cyan]")
    if result.trace:
        out.print()
        for trace in result.trace:
            out.print(_tree(trace))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
def test(paths: tuple[str, ...], strict: bool) -> None:
    """Run the examples of every policy under PATHS."""
    table = Table(title="Examples", show_lines=False)
    for column in ("policy", "example", "result"):
        table.add_column(column)
    failures: list[tuple[str, Any]] = []
    broken: list[Diagnostic] = []
    total = 0
    for policy in _policies(paths, strict, broken):
        for result in run_examples(policy):
            total += 1
            mark = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
            table.add_row(escape(policy.id), escape(result.example.name), mark)
            if not result.passed:
                failures.append((policy.id, result))
    if total:
        out.print(table)
    print_diagnostics(broken, err)
    for policy_id, result in failures:
        err.print(f"\n[bold red]FAIL[/bold red] {escape(policy_id)}: {escape(result.example.name)} "
                  f"({result.example.span})")
        for m in result.mismatches:
            err.print(f"  {escape(m.name)}: expected [green]{escape(m.expected)}[/green], "
                      f"got [red]{escape(m.actual)}[/red]")
        print_diagnostics(result.diagnostics, err)
        if result.result and result.result.trace:
            for trace in result.result.trace:
                err.print(_tree(trace))
    passed = total - len(failures)
    line = f"{passed} passed, {len(failures)} failed"
    (err if failures or broken else out).print(line)
    sys.exit(1 if failures or broken else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--max-examples", default=100, show_default=True, type=click.IntRange(1),
              help="Cases hypothesis draws per invariant (after the examples moved to "
                   "each boundary).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the search (the same seed gives the same result).")
@click.option("--database", is_flag=True, help="Replay failures saved by earlier runs (.hypothesis/).")
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
@click.option("--jobs", type=click.IntRange(1), default=None,
              help="Policies verified at once, in worker processes [default: one per core].")
@click.option("--no-cache", is_flag=True,
              help="Verify again policies that passed and have not changed since "
                   "(their result is recorded in .legiste/verify.json).")
def verify(paths: tuple[str, ...], max_examples: int, seed: int, database: bool, strict: bool,
           jobs: int | None, no_cache: bool) -> None:
    """Search for counter-examples to the invariants of every policy under PATHS."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    from legiste.compiler.tools.verify_batch import CACHE, Stopped, verify_policies

    db = DirectoryBasedExampleDatabase(".hypothesis/examples") if database else None
    broken: list[Diagnostic] = []
    policies = [p for p in _policies(paths, strict, broken) if p.unit.invariants]
    warnings: list[Diagnostic] = []
    counts = [0, 0, 0]  # policies, invariants and failures reported so far
    results = verify_policies(policies, max_examples, seed, db, jobs, None if no_cache else CACHE, warnings)
    try:
        _report_verified(results, warnings, counts)
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Stopped): the workers are stopped
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # another Ctrl-C while this is said changes nothing
        except ValueError:  # not the main thread (an embedding program): it has its own handling
            pass
        results.close()
        done, total, failed = counts
        err.print(f"interrupted: {total - failed} passed, {failed} failed in the {done} "
                  f"polic{'ies' if done != 1 else 'y'} verified so far; {len(policies) - done} not verified")
        sys.exit(143 if isinstance(stop, Stopped) else 130)
    _, total, failed = counts
    print_diagnostics(broken, err)
    line = f"{total - failed} passed, {failed} failed"
    (err if failed or broken else out).print(line)
    sys.exit(1 if failed or broken else 0)


def _report_verified(results: Iterable[Any], warnings: list[Diagnostic], counts: list[int]) -> None:
    """Print each policy's outcomes as they come; `counts`: policies, invariants, failures."""
    from legiste.compiler.tools.verify import case_json, example_block

    for policy, outcomes, cached in results:
        print_diagnostics(warnings, err)  # a record ignored: said before the first result
        warnings.clear()
        unchanged = "  [dim](unchanged since it last passed; --no-cache verifies it again)[/dim]"
        out.print(f"[bold]{escape(policy.id)}[/bold]{unchanged if cached else ''}")
        for outcome in outcomes:
            counts[1] += 1
            if outcome.passed:
                note = f" [dim]({escape(outcome.note)})[/dim]" if outcome.note else ""
                # Drawn cases it applied to, examples moved to a boundary, and drawn
                # cases skipped (outside its guard or the policy's domain).
                boundary = f" + {outcome.boundary_cases} at boundaries" if outcome.boundary_cases else ""
                skipped = f", {outcome.skipped} skipped" if outcome.skipped else ""
                out.print(f"  [green]✓[/green] {escape(outcome.text)} "
                          f"[dim]({outcome.examples_run} cases{boundary}{skipped})[/dim]{note}")
                continue
            counts[2] += 1
            ce = outcome.counterexample
            assert ce is not None
            err.print(f"  [red]✗[/red] {escape(outcome.text)}  [dim]({outcome.invariant.span})[/dim]")
            if ce.origin is not None:
                err.print(f"  found at a boundary: {escape(ce.origin)}")
            if ce.error is not None:
                print_diagnostics([ce.error], err)
            labels = ["counter-example"] if len(ce.cases) == 1 else ["lower case", "higher case"]
            for label, case, outputs, trace in zip(labels, ce.cases, ce.outputs, ce.traces):
                title = f"{label}: {outcome.text}"
                err.print(f"\n  [bold]{label}[/bold] (paste into the policy):")
                err.print(escape(example_block(policy, title, case, outputs)), soft_wrap=True)
                err.print("  [bold]as JSON input:[/bold]")
                err.print(escape(json.dumps(case_json(policy, case), ensure_ascii=False)), soft_wrap=True)
                for t in trace:
                    err.print(_tree(t))
        counts[0] += 1


def _json_ir(policy: Policy) -> str:
    from legiste.compiler.backends.json_ir import to_json_ir

    return json.dumps(to_json_ir(policy.program), ensure_ascii=False, indent=2) + "\n"


def _python_module(policy: Policy) -> str:
    from legiste.compiler.backends.python import generate

    return generate(policy.program)


# --target NAME → the text a back end produces for a compiled policy.
TARGETS: dict[str, Any] = {"json": _json_ir, "python": _python_module}


def _write(text: str, output: str | None) -> None:
    """Standard output, or `output` written whole or not at all: a full disk or a read-only
    folder gives a located E602 and leaves any earlier file as it was."""
    if output is None:
        click.echo(text, nl=False)
        return
    data = text.encode("utf-8")
    try:
        target = os.path.realpath(output)  # through a symlink: replace the file, not the link
        if os.path.exists(target) and not os.path.isfile(target):
            # /dev/stdout, a FIFO…: nothing to replace atomically, nor to leave truncated.
            with open(target, "wb") as stream:
                stream.write(data)
            return
        fd, partial = tempfile.mkstemp(prefix=".legiste-", suffix=".tmp", dir=os.path.dirname(target))
    except OSError as exc:
        _unwritable(output, exc)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)
    except OSError as exc:
        try:
            os.unlink(partial)
        except OSError:
            pass
        _unwritable(output, exc)


def _unwritable(output: str, exc: OSError) -> Any:
    from legiste.dsl.diagnostics import error
    from legiste.dsl.span import SourceFile

    reason = exc.strerror or str(exc)
    hints = (["free some space on that disk, or write elsewhere with -o"] if exc.errno in (errno.ENOSPC, errno.EDQUOT)
             else ["write to a folder you can write to, with -o"])
    raise DiagnosticError([error("E602", f"cannot write {output}: {reason}; nothing was written",
                                 SourceFile(output, "").span(1, 1, 1, 1), hints=hints)])


@main.command(name="compile")
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", required=True, type=click.Choice(sorted(TARGETS)),
              help="json: the typed IR as a versioned JSON document (docs/schemas/ir.v1.schema.json); "
                   "python: a standalone module (standard library only) with evaluate/explain.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
def compile_(policy: str, target: str, output: str | None, strict: bool) -> None:
    """Compile POLICY for a back end."""
    _write(TARGETS[target](_load(policy, strict)), output)


@main.command()
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
def schema(policy: str, strict: bool) -> None:
    """Print the JSON Schemas of POLICY's inputs and outputs: {"inputs": …, "outputs": …}."""
    from legiste.compiler.backends.json_schema import input_schema, output_schema

    unit = _load(policy, strict).unit
    _write(json.dumps({"inputs": input_schema(unit), "outputs": output_schema(unit)},
                      ensure_ascii=False, indent=2) + "\n", None)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
@click.option("--strict", is_flag=True, help="Treat unverifiable quotes as errors.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each compiles the policies and evaluates in its own threads).")
@click.option("--request-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds a client has to send a request's headers, and again its body (408 after).")
def serve(paths: tuple[str, ...], host: str, port: int, access_log: bool, strict: bool, workers: int,
          request_timeout: float) -> None:
    """Serve the policies under PATHS (default: policies/) over HTTP, compiled once at start-up."""
    from legiste.compiler.faces import serve as service
    from legiste.compiler.faces.http_server import ServerOptions, serve as run_server

    paths = paths or ("policies",)
    policies, warnings = service.load_policies(paths, strict=strict)
    print_diagnostics(warnings, err)
    err.print(f"serving {len(policies)} polic{'ies' if len(policies) != 1 else 'y'}: "
              f"{escape(', '.join(policies))}" + (f" with {workers} workers" if workers > 1 else ""))
    options = ServerOptions(paths=tuple(paths), strict=strict, host=host, port=port, workers=workers,
                            request_timeout=request_timeout, access_log=access_log)
    # With workers, each compiles the policies itself; these were compiled to check them first.
    app = service.Service(policies, threads=options.threads, request_timeout=request_timeout).app \
        if workers == 1 else None
    run_server(app, options)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--all", "show_all", is_flag=True, help="List cited sentences too.")
def coverage(paths: tuple[str, ...], show_all: bool) -> None:
    """List the sentences of the legal texts that no rule under PATHS quotes."""
    from legiste.compiler.resolution.citations import find_source
    from legiste.compiler.tools.coverage import coverage as sentence_coverage

    programs, texts = [], {}
    for file in _rule_files(paths):
        config = load_config(file)
        program, diagnostics = compile_file(file, config)
        if program is None:
            print_diagnostics([d for d in diagnostics if d.is_error], err)
            sys.exit(1)
        programs.append(program)
        for unit in program.units.values():
            for source in unit.sources:
                found = find_source(source.file, config.sources) if source.file else None
                if found is not None:
                    texts[source.file] = found
    rows = sentence_coverage(programs, texts)
    current = None
    for row in rows:
        if row.cited_by and not show_all:
            continue
        if row.source != current:
            current = row.source
            out.print(f"\n[bold]{escape(row.source)}[/bold]")
        mark = "[green]cited[/green] by " + ", ".join(row.cited_by) if row.cited_by else "[yellow]uncited[/yellow]"
        out.print(f"  {row.line:>4}  {mark}: {escape(row.text)}")
    cited = sum(1 for r in rows if r.cited_by)
    out.print(f"\n{cited} of {len(rows)} sentences cited")


def run() -> None:
    """Entry point: diagnostics instead of tracebacks, whatever happens."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)
    except DiagnosticError as exc:
        print_diagnostics(exc.diagnostics, err)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in Légiste: say so plainly, without a traceback
        err.print(f"[bold red]internal error[/bold red]: {escape(type(exc).__name__)}: "
                  f"{escape(str(exc))}\nThis is a bug in Légiste; please report it with the rule "
                  "file and input that caused it.")
        sys.exit(3)


__all__ = ["main", "run"]

"""Source files instead of a process-wide registry (issue 9, "a source-file object").

The reader makes one `SourceFile` (path, text, line index) per text it reads; the spans
it hands out refer to it, and the diagnostic renderer and the explanations quote that
text. Nothing is looked up by file name, so nothing is read again from the disk, and two
texts compiled under one name each quote themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import legiste.dsl.span as span_module
from legiste.compiler.api import Policy
from legiste.compiler.interpreter.inputs import parse_json
from legiste.dsl.diagnostics import render_plain
from legiste.dsl.parser import parse_file, parse_module
from legiste.dsl.span import SourceFile, Span

BAD = "policy t.p\n\ndefine x = 1 +{}\n"


def test_there_is_no_process_wide_registry() -> None:
    assert not hasattr(span_module, "SOURCES")
    assert not hasattr(span_module, "SourceRegistry")


def test_a_source_file_indexes_its_lines_and_makes_spans_of_itself() -> None:
    source = SourceFile("a.legis", "first\r\nsecond\u2028still second\nthird")
    assert source.lines == ("first", "second\u2028still second", "third")
    assert source.line(3) == "third" and source.line(0) is None and source.line(4) is None
    span = source.span(2, 1, 2, 7)
    assert span.source is source and span.source_line() == "second\u2028still second"
    assert span.excerpt() == "second"
    # The text is not part of a span's equality, nor of its JSON form.
    assert span == Span("a.legis", 2, 1, 2, 7) and "source" not in span.to_json()


def test_a_span_without_a_source_quotes_nothing() -> None:
    span = Span("elsewhere.legis", 1, 1, 1, 2)
    assert span.source_line() is None and span.excerpt() == ""


def test_two_texts_parsed_under_one_name_each_quote_their_own_line() -> None:
    _, first = parse_module(BAD.format(" # the first text"), "same.legis")
    _, second = parse_module(BAD.format(" # the second text"), "same.legis")
    assert "the first text" in render_plain(first) and "the second" not in render_plain(first)
    assert "the second text" in render_plain(second)


def test_a_diagnostic_quotes_the_text_that_was_parsed_not_the_file_as_it_is_now(
        tmp_path: Path) -> None:
    path = tmp_path / "p.legis"
    path.write_text(BAD.format("  # as parsed"), encoding="utf-8")
    _, diagnostics = parse_file(path)
    path.write_text("policy t.p\n\ndefine x = 1 + 2  # changed since\n", encoding="utf-8")
    rendered = render_plain(diagnostics)
    assert f"--> {path}:3:" in rendered and "# as parsed" in rendered
    path.unlink()
    assert render_plain(diagnostics) == rendered


def test_an_input_diagnostic_quotes_the_case_text(tmp_path: Path) -> None:
    _, diagnostics = parse_json('{\n  "a": 1,\n  "a": 2\n}\n', "case.json")
    rendered = render_plain(diagnostics)
    assert "--> case.json:2:3" in rendered and '2 |   "a": 1,' in rendered


@pytest.fixture
def policy_text() -> str:
    return ("policy t.p\n\ninput\n  x : money\n\n"
            "output ok = all of\n  x > 1 EUR\n  x < 5 EUR\n")


def test_units_and_modules_carry_their_source(tmp_path: Path, policy_text: str) -> None:
    path = tmp_path / "p.legis"
    path.write_text(policy_text, encoding="utf-8")
    policy = Policy.load(path)
    assert policy.unit.source is not None and policy.unit.source.text == policy_text
    module, _ = parse_file(path)
    assert module is not None and module.source is not None
    assert module.source.path == str(path)


def test_explanations_quote_the_compiled_text_after_the_file_is_gone(
        tmp_path: Path, policy_text: str) -> None:
    path = tmp_path / "p.legis"
    path.write_text(policy_text, encoding="utf-8")
    policy = Policy.load(path)
    path.unlink()
    labels = json.dumps(policy.explain({"x": "2 EUR"}).to_json(), ensure_ascii=False)
    assert "x > 1 EUR" in labels and "x < 5 EUR" in labels

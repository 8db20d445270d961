"""The keyword table (dsl/keywords.py) and the grammar stay in step."""

from pathlib import Path

import pytest

from legiste.dsl import keywords
from legiste.dsl.parser import GRAMMAR


def test_the_grammar_uses_exactly_the_words_of_the_table() -> None:
    assert keywords.check_grammar(GRAMMAR.read_text(encoding="utf-8")) == []


def test_a_grammar_word_missing_from_the_table_is_reported() -> None:
    grammar = GRAMMAR.read_text(encoding="utf-8") + '\nextra: "whenever"\n'
    assert keywords.check_grammar(grammar) == [
        "grammar word 'whenever' is missing from the keyword table"]


def test_a_table_word_dropped_from_the_grammar_is_reported() -> None:
    grammar = GRAMMAR.read_text(encoding="utf-8").replace('"monotone"', '"steady"')
    problems = keywords.check_grammar(grammar)
    assert "keyword 'monotone' of the table is not in the grammar" in problems
    assert "grammar word 'steady' is missing from the keyword table" in problems


def test_comments_of_the_grammar_are_not_read_as_keywords() -> None:
    assert "title" not in keywords.grammar_words('// "title" is contextual\nx: "of"\n')
    assert keywords.grammar_words('x: "of" | "€" | "("\n') == {"of", "€"}


def test_the_table_is_one_mapping_per_language() -> None:
    assert set(keywords.KEYWORDS) == set(keywords.UNITS) == {"en"}
    english = keywords.KEYWORDS["en"]
    assert english["unless"] == "unless" and keywords.UNITS["en"]["euro"] == "EUR"
    assert keywords.operator_words() == {"and", "or", "implies", "between"}
    with pytest.raises(TypeError):
        english["unless"] = "sauf"  # type: ignore[index]


def test_the_table_holds_no_duplicate_spelling() -> None:
    values = list(keywords.KEYWORDS["en"].values()) + list(keywords.UNITS["en"].values())
    assert len(values) == len(set(values))
    assert Path(keywords.__file__).name == "keywords.py"

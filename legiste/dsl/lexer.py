"""Lexer: the Lark LALR parser of dsl/grammar.lark, with its indentation and comments.

The post-lexer turns line breaks into INDENT/DEDENT tokens and collects every comment
(the lexer's COMMENT tokens and the comment lines inside each newline token) for
dsl/comments.py. Consumed by dsl/parser.py, which feeds it one declaration at a time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from lark import Lark, Token
from lark.indenter import DedentError, Indenter

from legiste.dsl import keywords

GRAMMAR = Path(__file__).with_name("grammar.lark")


class _IndentationError(Exception):
    def __init__(self, token: Token):
        self.token = token


class _Indenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RSQB", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def __init__(self) -> None:
        super().__init__()
        # (token, own line) for each comment of the text being parsed (parse_module resets it).
        self.comments: list[tuple[Token, bool]] = []

    def on_comment(self, token: Token) -> Token:
        """The lexer's callback for COMMENT, which only follows code on its line."""
        self.comments.append((token, False))
        return token

    def handle_NL(self, token: Token) -> Iterator[Token]:
        # A newline token spans the comment lines after it: each is a comment of its own line.
        for match in _COMMENT_LINE.finditer(str(token)):
            before = str(token)[:match.start()]
            line = token.line + before.count("\n")
            column = match.start() - before.rfind("\n")
            self.comments.append((Token("COMMENT", match.group(), line=line, column=column,
                                        end_line=line, end_column=column + len(match.group())),
                                  True))
        try:
            yield from super().handle_NL(token)
        except DedentError:
            raise _IndentationError(token) from None


_COMMENT_LINE = re.compile(r"#[^\n]*")


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    """The LALR parser, built once per process (and cached on disk by Lark)."""
    grammar = GRAMMAR.read_text(encoding="utf-8")
    # The grammar spells keywords inline (Lark needs literals): refuse to drift from the table.
    drift = keywords.check_grammar(grammar)
    if drift:
        raise RuntimeError("grammar.lark and dsl/keywords.py disagree: " + "; ".join(drift))
    indenter = _Indenter()
    return Lark(grammar, parser="lalr", postlex=indenter,
                lexer_callbacks={"COMMENT": indenter.on_comment},
                propagate_positions=True, maybe_placeholders=True, cache=True)

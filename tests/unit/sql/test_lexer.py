"""PostgreSQL's lexical rules (standard_conforming_strings on): where statements split, what is code."""

from __future__ import annotations

import pytest

from server.sql.lexer import (
    code_matches,
    qmark_to_dollar,
    split_statements,
    strip_comments,
    tokens,
    unquote_string,
)


@pytest.mark.parametrize(
    "text, statements",
    [
        ("SELECT 1; SELECT 2", ["SELECT 1", " SELECT 2"]),
        # A backslash is an ordinary character in '...': the string ends at the second quote.
        ("SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", " SELECT 2"]),
        # ... but escapes the quote in E'...'.
        ("SELECT E'a\\'; b'; SELECT 2", ["SELECT E'a\\'; b'", " SELECT 2"]),
        ("SELECT 'it''s; here'; SELECT 2", ["SELECT 'it''s; here'", " SELECT 2"]),
        ('SELECT 1 AS "a;b"; SELECT 2', ['SELECT 1 AS "a;b"', " SELECT 2"]),
        ("SELECT $$;$$; SELECT $t$ $$; $t$", ["SELECT $$;$$", " SELECT $t$ $$; $t$"]),
        ("SELECT /* ; /* ; */ ; */ 1; SELECT 2", ["SELECT /* ; /* ; */ ; */ 1", " SELECT 2"]),
        ("SELECT 1 -- ; not here\n; SELECT 2", ["SELECT 1 -- ; not here\n", " SELECT 2"]),
        # $ inside a name does not open a dollar quote (a$b$ is one identifier).
        ("SELECT a$b$; SELECT c$b$", ["SELECT a$b$", " SELECT c$b$"]),
        # somE'...' is the name somE then an ordinary string, not an E string.
        ("SELECT somE'\\'; SELECT 2", ["SELECT somE'\\'", " SELECT 2"]),
        ("; ;  -- only a comment\n;", []),
        ("SELECT 'unterminated; SELECT 2", ["SELECT 'unterminated; SELECT 2"]),
    ],
)
def test_split_statements(text: str, statements: list[str]) -> None:
    assert [piece.text for piece in split_statements(text)] == statements
    for piece in split_statements(text):
        assert text[piece.offset : piece.offset + len(piece.text)] == piece.text


def test_tokens_keep_literals_whole_and_skip_comments() -> None:
    text = "SET x = $$a'b$$, E'c\\'d', 'e''f', \"G\"\"h\", $1, a$b /* c */ -- d\n, 1.5e3"
    assert [t.value for t in tokens(text)] == [
        "SET",
        "X",
        "=",
        "$$a'b$$",
        ",",
        "E'c\\'d'",
        ",",
        "'e''f'",
        ",",
        '"G""h"',
        ",",
        "$1",
        ",",
        "A$B",
        ",",
        "1.5e3",
    ]
    assert [t.value for t in tokens(text, limit=2)] == ["SET", "X"]


def test_unquote_string() -> None:
    assert unquote_string("'it''s'") == "it's"
    assert unquote_string("E'a\\tb\\''") == "a\tb'"
    assert unquote_string("$$x'y$$") == "x'y"
    assert unquote_string("$tag$x$$y$tag$") == "x$$y"


def test_strip_comments_keeps_offsets_and_strings() -> None:
    text = "a /* x /* y */ z */ '/* kept */' -- c\nd"
    stripped = strip_comments(text)
    assert len(stripped) == len(text)
    assert stripped == "a                   '/* kept */'     \nd"


def test_code_matches_never_start_inside_quotes_or_comments() -> None:
    text = "x? '?' \"?\" $$?$$ $t$?$t$ E'\\'?' /* ? /* ? */ ? */ -- ?\n y?"
    assert [m.start() for m in code_matches(text, "?")] == [1, len(text) - 1]


def test_qmark_parameters_are_numbered_in_code_only() -> None:
    assert qmark_to_dollar("SELECT ?, '?', \"?\" /* ? */, ? -- ?\n, $$?$$") == (
        "SELECT $1, '?', \"?\" /* ? */, $2 -- ?\n, $$?$$"
    )

"""Route each statement to what answers it: the session, a cursor, COPY, or the engine.

Meta commands are recognised from their leading keywords (PostgreSQL's grammar
for them is small and regular) and never reach the planner. Writes and DDL are
refused with 25006, as on a read-only PostgreSQL standby; anything else is a
:class:`Query` for the compiler.
"""

from __future__ import annotations

from server.cache import LRUCache
from server.errors import FeatureNotSupported, InsufficientPrivilege, ReadOnlyTransaction, SqlSyntaxError
from server.sql.commands import (
    CloseCursor,
    Command,
    CopyFormat,
    CopyOut,
    CreateTempTable,
    CreateTempView,
    Deallocate,
    DeclareCursor,
    Discard,
    DropTable,
    DropView,
    Explain,
    Fetch,
    NoOp,
    Query,
    ResetVariable,
    SessionCharacteristics,
    SetVariable,
    ShowVariable,
    Transaction,
    TransactionAction,
)
from server.sql.lexer import Piece, Token, split_statements, tokens, unquote_identifier, unquote_string
from server.sql.limits import check_size

QUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "(", "FROM"})
WRITES = frozenset(
    {
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "TRUNCATE",
        "CREATE",
        "DROP",
        "ALTER",
        "GRANT",
        "REVOKE",
        "COMMENT",
        "VACUUM",
        "CLUSTER",
        "REINDEX",
        "REFRESH",
        "LOCK",
        "IMPORT",
        "SECURITY",
        "CALL",
        "DO",
    }
)
NO_OPS = {
    "LISTEN": "LISTEN",
    "UNLISTEN": "UNLISTEN",
    "ANALYZE": "ANALYZE",
    "CHECKPOINT": "CHECKPOINT",
    "LOAD": None,
    "NOTIFY": None,
}
TIME_ZONE_WORDS = ("TIME", "ZONE")


def route(text: str) -> list[Command]:
    """Every statement of ``text``, routed; raises a typed error for the first one refused."""
    return [route_one(piece) for piece in split_statements(text)]


# Statement texts a worker remembers routed (drivers repeat a small set of statements).
ROUTE_CACHE_SIZE = 2048
_ROUTES = LRUCache[str, list[tuple[Piece, Command]]](ROUTE_CACHE_SIZE)


def route_all(text: str) -> list[tuple[Piece, Command]]:
    """Every statement of ``text`` with its command; remembered by text (drivers repeat themselves).

    A statement that is refused raises, and nothing is remembered for that text.
    """
    found = _ROUTES.get(text)
    if found is None:
        found = [(piece, route_one(piece)) for piece in split_statements(text)]
        _ROUTES.put(text, found)
    return found


def route_one(piece: Piece) -> Command:
    check_size(piece.text)  # QUIVER_MAX_QUERY_BYTES is per statement: 54001 before any work on it
    first = tokens(piece.text, limit=1)
    if not first:
        return Query(piece.text, piece.offset)
    head = first[0].value
    if head in QUERY_STARTS:
        return Query(piece.text, piece.offset)  # the parser reads it; no need to tokenize it here
    toks = tokens(piece.text)
    handler = _HANDLERS.get(head)
    if handler is not None:
        return handler(piece, toks)
    if head in NO_OPS:
        tag = NO_OPS[head]
        if tag is None:
            raise FeatureNotSupported(f"{head} is not supported")
        return NoOp(tag)
    if head in WRITES:
        return _refuse_write(piece, toks)
    # Anything else is handed to the SQL parser, which reports a syntax error if it is not a query.
    return Query(piece.text, piece.offset)


def _refuse_write(piece: Piece, toks: list[Token]) -> Command:
    words = [t.value for t in toks[:4]]
    if words[0] == "CREATE":
        temp = _create_temp(piece, toks)
        if temp is not None:
            return temp
        view = _create_temp_view(piece, toks)
        if view is not None:
            return view
    if words[0] == "DROP" and len(words) > 1 and words[1] == "TABLE":
        return _drop_table(toks)
    if words[0] == "DROP" and len(words) > 1 and words[1] == "VIEW":
        table = _drop_table(toks)
        assert isinstance(table, DropTable)
        return DropView(table.names, table.if_exists)
    if words[0] == "DO":
        raise ReadOnlyTransaction("cannot execute DO in a read-only transaction")
    what = " ".join(words[:2]) if words[0] in ("CREATE", "DROP", "ALTER") and len(words) > 1 else words[0]
    raise ReadOnlyTransaction(
        f"cannot execute {what} in a read-only transaction",
        hint="Quiver serves data products read-only; change the model or its sources instead.",
    )


def _text_after(piece: Piece, token: Token) -> Query:
    return Query(piece.text[token.end :], piece.offset + token.end)


def _values(toks: list[Token]) -> str | None:
    """A SET value list: names, strings and numbers joined by ', '; None for DEFAULT."""
    parts = []
    for token in toks:
        if token.value == ",":
            continue
        if token.value == "DEFAULT" and len(toks) == 1:
            return None
        if token.value.startswith(("'", "E'", "e'")) or _is_dollar_string(token.value):
            parts.append(unquote_string(token.value))
        elif token.value.startswith('"'):
            parts.append(unquote_identifier(token.value))
        elif token.value == "-" and parts == []:
            parts.append("-")
            continue
        else:
            value = token.value.lower() if token.value.isalpha() or "_" in token.value else token.value
            if parts and parts[-1] == "-":
                parts[-1] = "-" + value
            else:
                parts.append(value)
    return ", ".join(parts)


def _is_dollar_string(value: str) -> bool:
    return len(value) > 1 and value[0] == value[-1] == "$" and not value[1:].isdigit()


def _set(piece: Piece, toks: list[Token]) -> Command:
    rest = toks[1:]
    local = False
    if rest and rest[0].value in ("SESSION", "LOCAL"):
        if rest[0].value == "SESSION" and len(rest) > 1 and rest[1].value == "CHARACTERISTICS":
            return SessionCharacteristics(piece.text)
        if rest[0].value == "SESSION" and len(rest) > 1 and rest[1].value == "AUTHORIZATION":
            raise InsufficientPrivilege("SET SESSION AUTHORIZATION is not allowed")
        local = rest[0].value == "LOCAL"
        rest = rest[1:]
    if not rest:
        raise SqlSyntaxError("syntax error at end of input")
    if rest[0].value == "TRANSACTION":
        return SessionCharacteristics(piece.text)
    if rest[0].value == "ROLE":
        return _set_role(rest[1:])
    if [t.value for t in rest[:2]] == list(TIME_ZONE_WORDS):
        value = _values(rest[2:])
        return SetVariable("timezone", None if value in (None, "local") else value, local)
    if rest[0].value == "SCHEMA":
        return SetVariable("search_path", _values(rest[1:]), local)
    if rest[0].value == "NAMES":
        return SetVariable("client_encoding", _values(rest[1:]), local)
    name_tokens = [rest[0]]
    index = 1
    while index + 1 < len(rest) and rest[index].value == ".":
        name_tokens += [rest[index], rest[index + 1]]
        index += 2
    name = "".join(unquote_identifier(t.value) if t.value != "." else "." for t in name_tokens)
    if index >= len(rest) or rest[index].value not in ("TO", "="):
        raise SqlSyntaxError(f'syntax error at or near "{rest[index].value if index < len(rest) else ""}"')
    return SetVariable(name, _values(rest[index + 1 :]), local)


def _set_role(rest: list[Token]) -> Command:
    """SET ROLE NONE keeps the session user's role, as it already is; any other role is refused.

    A session never takes on another user's policies, so no role may be set, whether or not it exists.
    """
    if [t.value for t in rest] == ["NONE"]:
        return NoOp("SET")
    role = unquote_identifier(rest[0].value) if rest else ""
    if rest and rest[0].value.startswith("'"):
        role = unquote_string(rest[0].value)
    raise InsufficientPrivilege(
        f'permission denied to set role "{role}"', hint="Connect as the user whose access you need."
    )


def _reset(piece: Piece, toks: list[Token]) -> Command:
    if len(toks) < 2:
        raise SqlSyntaxError("syntax error at end of input")
    if [t.value for t in toks[1:]] == ["ROLE"]:
        return NoOp("RESET")  # the role is always the session user's
    if toks[1].value == "ALL":
        return ResetVariable(None)
    if [t.value for t in toks[1:3]] == list(TIME_ZONE_WORDS):
        return ResetVariable("timezone")
    return ResetVariable(unquote_identifier(toks[1].value))


def _show(piece: Piece, toks: list[Token]) -> Command:
    words = [t.value for t in toks[1:]]
    if not words:
        raise SqlSyntaxError("syntax error at end of input")
    if words == ["ALL"]:
        return ShowVariable(None)
    if words[:2] == list(TIME_ZONE_WORDS):
        return ShowVariable("timezone")
    if words[:3] == ["TRANSACTION", "ISOLATION", "LEVEL"]:
        return ShowVariable("transaction_isolation")
    if words[:2] == ["SESSION", "AUTHORIZATION"]:
        return ShowVariable("session_authorization")
    return ShowVariable("".join(unquote_identifier(t.value) if t.value != "." else "." for t in toks[1:]))


def _begin(piece: Piece, toks: list[Token]) -> Command:
    tag = "START TRANSACTION" if toks[0].value == "START" else "BEGIN"
    return Transaction(TransactionAction.BEGIN, tag=tag)


def _commit(piece: Piece, toks: list[Token]) -> Command:
    if toks[0].value == "PREPARE" or (len(toks) > 1 and toks[1].value == "PREPARED"):
        raise FeatureNotSupported("prepared transactions are not supported")
    return Transaction(TransactionAction.COMMIT, tag="COMMIT")


def _rollback(piece: Piece, toks: list[Token]) -> Command:
    words = [t.value for t in toks[1:]]
    if words and words[0] in ("WORK", "TRANSACTION"):
        words = words[1:]
    if words and words[0] == "TO":
        words = words[1:]
        if words and words[0] == "SAVEPOINT":
            words = words[1:]
        if not words:
            raise SqlSyntaxError("syntax error at end of input")
        return Transaction(TransactionAction.ROLLBACK_TO, unquote_identifier(words[0]), tag="ROLLBACK")
    if words and words[0] == "PREPARED":
        raise FeatureNotSupported("prepared transactions are not supported")
    return Transaction(TransactionAction.ROLLBACK, tag="ROLLBACK")


def _savepoint(piece: Piece, toks: list[Token]) -> Command:
    if len(toks) < 2:
        raise SqlSyntaxError("syntax error at end of input")
    return Transaction(TransactionAction.SAVEPOINT, unquote_identifier(toks[1].value), tag="SAVEPOINT")


def _release(piece: Piece, toks: list[Token]) -> Command:
    rest = [t.value for t in toks[1:]]
    if rest and rest[0] == "SAVEPOINT":
        rest = rest[1:]
    if not rest:
        raise SqlSyntaxError("syntax error at end of input")
    return Transaction(TransactionAction.RELEASE, unquote_identifier(rest[0]), tag="RELEASE")


def _discard(piece: Piece, toks: list[Token]) -> Command:
    what = toks[1].value if len(toks) > 1 else ""
    if what not in ("ALL", "PLANS", "SEQUENCES", "TEMP", "TEMPORARY"):
        raise SqlSyntaxError(f'syntax error at or near "{what}"')
    return Discard("TEMP" if what == "TEMPORARY" else what)


def _deallocate(piece: Piece, toks: list[Token]) -> Command:
    rest = toks[1:]
    if rest and rest[0].value == "PREPARE":
        rest = rest[1:]
    if not rest:
        raise SqlSyntaxError("syntax error at end of input")
    return Deallocate(None if rest[0].value == "ALL" else unquote_identifier(rest[0].value))


def _declare(piece: Piece, toks: list[Token]) -> Command:
    if len(toks) < 3:
        raise SqlSyntaxError("syntax error at end of input")
    name = unquote_identifier(toks[1].value)
    hold = binary = False
    for index, token in enumerate(toks[2:], start=2):
        if token.value == "BINARY":
            binary = True
        elif token.value == "WITH" and index + 1 < len(toks) and toks[index + 1].value == "HOLD":
            hold = True
        elif token.value == "FOR":
            return DeclareCursor(name, _text_after(piece, token), hold=hold, binary=binary)
    raise SqlSyntaxError("syntax error at end of input", hint="DECLARE name CURSOR FOR query")


def _fetch(piece: Piece, toks: list[Token]) -> Command:
    move = toks[0].value == "MOVE"
    words = [t.value for t in toks[1:]]
    if not words:
        raise SqlSyntaxError("syntax error at end of input")
    count: int | None = 1
    if words[0] in ("NEXT",):
        words = words[1:]
    elif words[0] == "FORWARD":
        words = words[1:]
        if words and words[0] == "ALL":
            count, words = None, words[1:]
        elif words and words[0].isdigit():
            count, words = int(words[0]), words[1:]
    elif words[0] == "ALL":
        count, words = None, words[1:]
    elif words[0].isdigit():
        count, words = int(words[0]), words[1:]
    elif words[0] in ("PRIOR", "FIRST", "LAST", "ABSOLUTE", "RELATIVE", "BACKWARD"):
        raise FeatureNotSupported(
            "cursor can only scan forward", hint="Declare the cursor with SCROLL... which Quiver does not support."
        )
    if words and words[0] in ("FROM", "IN"):
        words = words[1:]
    if not words:
        raise SqlSyntaxError("syntax error at end of input")
    return Fetch(unquote_identifier(words[0]), count, move=move)


def _close(piece: Piece, toks: list[Token]) -> Command:
    if len(toks) < 2:
        raise SqlSyntaxError("syntax error at end of input")
    return CloseCursor(None if toks[1].value == "ALL" else unquote_identifier(toks[1].value))


def _copy(piece: Piece, toks: list[Token]) -> Command:
    if len(toks) < 2 or toks[1].value != "(":
        if any(t.value == "FROM" for t in toks[:6]):
            raise ReadOnlyTransaction("cannot execute COPY FROM in a read-only transaction")
        raise FeatureNotSupported("only COPY (query) TO STDOUT is supported", hint="Write COPY (SELECT ...) TO STDOUT.")
    depth, close = 0, None
    for index, token in enumerate(toks[1:], start=1):
        if token.value == "(":
            depth += 1
        elif token.value == ")":
            depth -= 1
            if depth == 0:
                close = index
                break
    if close is None:
        raise SqlSyntaxError("syntax error at end of input")
    query = Query(piece.text[toks[1].end : toks[close].start], piece.offset + toks[1].end)
    rest = [t.value for t in toks[close + 1 :]]
    if rest[:2] != ["TO", "STDOUT"]:
        if rest and rest[0] == "TO":
            raise InsufficientPrivilege("COPY to a file is not allowed", hint="Use COPY (query) TO STDOUT.")
        raise SqlSyntaxError('syntax error: expected "TO STDOUT"')
    return _copy_options(query, toks[close + 3 :])


def _copy_options(query: Query, toks: list[Token]) -> CopyOut:
    words = [t.value for t in toks if t.value not in ("(", ")", ",", "WITH")]
    format_, header, delimiter, null, quote = CopyFormat.TEXT, False, None, None, '"'
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if word == "FORMAT" and following:
            try:
                format_ = CopyFormat(unquote_string(following).lower())
            except ValueError:
                raise FeatureNotSupported(f'COPY format "{following}" not recognized') from None
            i += 2
        elif word in ("CSV", "BINARY", "TEXT"):
            format_ = CopyFormat(word.lower())
            i += 1
        elif word == "HEADER":
            header = following not in ("FALSE", "OFF", "0")
            i += 2 if following in ("TRUE", "FALSE", "ON", "OFF", "1", "0") else 1
        elif word in ("DELIMITER", "NULL", "QUOTE") and following is not None:
            value = unquote_string(following)
            if word == "DELIMITER":
                delimiter = value
            elif word == "NULL":
                null = value
            else:
                quote = value
            i += 2
        elif word == "AS":
            i += 1
        else:
            raise FeatureNotSupported(f'COPY option "{word}" is not supported')
    return CopyOut(query, format_, header, delimiter, null, quote)


def _create_temp(piece: Piece, toks: list[Token]) -> CreateTempTable | None:
    words = [t.value for t in toks]
    index = 1
    if index < len(words) and words[index] in ("LOCAL", "GLOBAL"):
        index += 1
    if index >= len(words) or words[index] not in ("TEMP", "TEMPORARY"):
        return None
    index += 1
    if index >= len(words) or words[index] != "TABLE":
        return None
    index += 1
    if words[index : index + 3] == ["IF", "NOT", "EXISTS"]:
        index += 3
    name = unquote_identifier(words[index])
    index += 1
    columns: list[tuple[str, str]] = []
    if index < len(words) and words[index] == "(":
        depth = 0
        current: list[str] = []
        for token in toks[index:]:
            if token.value == "(":
                depth += 1
                if depth == 1:
                    continue
            elif token.value == ")":
                depth -= 1
                if depth == 0:
                    break
            if token.value == "," and depth == 1:
                columns.append((unquote_identifier(current[0]), " ".join(current[1:]).lower()))
                current = []
            else:
                current.append(token.value)
            index += 1
        if current:
            columns.append((unquote_identifier(current[0]), " ".join(current[1:]).lower()))
    for token in toks:
        if token.value == "AS" and token.start > toks[min(index, len(toks) - 1)].start - 1:
            return CreateTempTable(name, _text_after(piece, token), tuple(columns))
    return CreateTempTable(name, None, tuple(columns))


def _create_temp_view(piece: Piece, toks: list[Token]) -> CreateTempView | None:
    """CREATE [OR REPLACE] TEMP|TEMPORARY VIEW name [(columns)] AS query; None for any other CREATE."""
    words = [t.value for t in toks]
    index = 1
    replace = words[index : index + 2] == ["OR", "REPLACE"]
    if replace:
        index += 2
    if index >= len(words) or words[index] not in ("TEMP", "TEMPORARY"):
        return None
    index += 1
    if index + 1 >= len(words) or words[index] != "VIEW":
        return None
    index += 1
    name_parts = [words[index]]
    while index + 2 < len(words) and words[index + 1] == ".":
        name_parts.append(words[index + 2])
        index += 2
    if len(name_parts) > 1 and unquote_identifier(name_parts[0]).lower() != "pg_temp":
        return None  # a view in the data product's schema: refused read-only like any other CREATE
    name = unquote_identifier(name_parts[-1])
    index += 1
    columns: list[str] = []
    if index < len(words) and words[index] == "(":
        index += 1
        while index < len(words) and words[index] != ")":
            if words[index] != ",":
                columns.append(unquote_identifier(words[index]))
            index += 1
        index += 1
    if index >= len(words) or words[index] != "AS":
        raise SqlSyntaxError("syntax error: CREATE TEMPORARY VIEW needs AS followed by a query")
    return CreateTempView(name, _text_after(piece, toks[index]), tuple(columns), replace)


def _drop_table(toks: list[Token]) -> Command:
    rest = [t.value for t in toks[2:]]
    if_exists = rest[:2] == ["IF", "EXISTS"]
    if if_exists:
        rest = rest[2:]
    names = tuple(unquote_identifier(w) for w in rest if w not in (",", "CASCADE", "RESTRICT"))
    return DropTable(names, if_exists)


def _explain(piece: Piece, toks: list[Token]) -> Command:
    for token in toks[1:]:
        if token.value in QUERY_STARTS:
            return Explain(Query(piece.text[token.start :], piece.offset + token.start))
    raise SqlSyntaxError("syntax error at end of input")


def _prepare(piece: Piece, toks: list[Token]) -> Command:
    """SQL-level PREPARE / EXECUTE: drivers use the extended protocol instead."""
    if len(toks) > 1 and toks[1].value == "TRANSACTION":
        raise FeatureNotSupported("prepared transactions are not supported")
    raise FeatureNotSupported(f"SQL-level {toks[0].value} is not supported", hint="Use the extended query protocol.")


_HANDLERS = {
    "SET": _set,
    "RESET": _reset,
    "SHOW": _show,
    "BEGIN": _begin,
    "START": _begin,
    "COMMIT": _commit,
    "END": _commit,
    "ROLLBACK": _rollback,
    "ABORT": _rollback,
    "SAVEPOINT": _savepoint,
    "RELEASE": _release,
    "DISCARD": _discard,
    "DEALLOCATE": _deallocate,
    "DECLARE": _declare,
    "FETCH": _fetch,
    "MOVE": _fetch,
    "CLOSE": _close,
    "COPY": _copy,
    "EXPLAIN": _explain,
    "PREPARE": _prepare,
    "EXECUTE": _prepare,
}

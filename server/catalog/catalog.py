"""The catalog a caller sees: PostgreSQL 16's pg_catalog and information_schema over their relations.

The engine builds one :class:`Catalog` per (model version, set of visible
relations) and calls :meth:`Catalog.execute` with each parsed statement that
reads the catalog or no relation at all (``SELECT 1``, ``select version()``).
The statement is translated on its sqlglot tree (:mod:`server.catalog.translate`)
and run on the catalog's own locked, in-memory DuckDB; the result comes back as
Arrow with PostgreSQL's column names. OID columns are ``uint32`` and ``int2``
columns ``int16``, which the wire layer describes as ``oid`` and ``int2``.
Every failure is a :class:`~server.errors.QuiverError` with PostgreSQL's SQLSTATE.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pyarrow as pa
import sqlglot.expressions as exp

from connectors.base import CancelToken, ConnectorError, ErrorKind, WrappedQuery
from connectors.duckdb import DuckDBQuery
from server.cache import LRUCache
from server.catalog.content import CatalogContent, build_content
from server.catalog.database import CatalogDatabase
from server.catalog.providers import PROVIDERS, STRING_COLUMN_TYPES
from server.catalog.translate import Context, Names, Translation, translate
from server.engine_errors import map_engine_error
from server.errors import (
    QuiverError,
    StatementTooComplex,
)
from server.semantic.model import Manifest, Relation
from server.sql.pg_types import TYPE_METADATA
from server.sql.postgres_meaning.types import raised_by_rule
from server.sql.session_info import SessionInfo

# Catalog statements (with the session values they read) one catalog remembers translated.
TRANSLATION_CACHE_SIZE = 512


class Catalog:
    """pg_catalog and information_schema for one set of visible relations."""

    def __init__(
        self,
        manifest: Manifest,
        relations: Mapping[str, Relation],
        *,
        column_types: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        database: str = "quiver",
        users: Sequence[str] = (),
    ) -> None:
        self.content: CatalogContent = build_content(
            manifest, relations, column_types=column_types, database=database, users=users
        )
        self._names = Names.build(self.content)
        self._database = CatalogDatabase(self.content, PROVIDERS)
        self._translations = LRUCache[tuple[object, ...], tuple[Translation, frozenset[str]]](TRANSLATION_CACHE_SIZE)

    def execute(self, tree: exp.Expr, session: SessionInfo) -> pa.Table:
        """Answer one parsed statement as PostgreSQL 16 would, for ``session`` (the whole result at once)."""
        return self.start(tree, session).read_all()

    def start(
        self,
        tree: exp.Expr,
        session: SessionInfo,
        *,
        timeout: float | None = None,
        token: CancelToken | None = None,
    ) -> CatalogQuery:
        """Start one parsed statement; its rows stream in batches, under ``timeout`` and ``token``.

        A catalog query is user SQL too (``generate_series(1, 2e9)`` needs no relation), so it
        gets what every engine query gets: a statement timeout, cancel, and a stream instead of
        a result materialised in memory.
        """
        translation, references = self._translate(tree, session)
        self._database.ensure(references)
        try:
            handle = DuckDBQuery(self._database.new_cursor(), translation.sql, timeout, token)
        except ConnectorError as error:
            raise _error(error) from None
        return CatalogQuery(handle, translation)

    def _translate(self, tree: exp.Expr, session: SessionInfo) -> tuple[Translation, frozenset[str]]:
        key = (
            tree.sql(dialect="postgres"),
            session.user,
            session.search_path,
            session.application_name,
            session.backend_pid,
            tuple(sorted(session.settings.items())),
            session.server_version,
            session.database,
            session.temp_relations,
        )
        found = self._translations.get(key)
        if found is not None:
            return found
        ctx = Context(session, self._names, self.content.database, self.content.started_at)
        translation = translate(tree, ctx)
        result = (translation, self._database.references(translation.sql))
        self._translations.put(key, result)
        return result


class CatalogQuery(WrappedQuery):
    """A running catalog statement: DuckDB's batches with PostgreSQL's names and types, errors as SQLSTATEs."""

    def __init__(self, handle: DuckDBQuery, translation: Translation) -> None:
        super().__init__(handle)
        self._translation = translation
        self._schema = _finish(handle.schema.empty_table(), translation).schema

    @property
    def schema(self) -> pa.Schema:
        return self._schema

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self._inner.batches():
                finished = _finish(pa.Table.from_batches([batch]), self._translation)
                yield from finished.cast(self._schema).to_batches()
        except ConnectorError as error:
            raise _error(error) from None


def _finish(table: pa.Table, translation: Translation) -> pa.Table:
    """PostgreSQL's column names and ``name``/``"char"`` types; text where DuckDB had no type (a bare NULL)."""
    names = translation.names
    sources = _expand_sources(translation.sources, table.column_names)
    columns = list(table.column_names)
    if names:
        stars = names.count(None)
        given = [name for name in names if name is not None]
        if stars == 0 and len(names) == len(columns):
            columns = given
        elif stars == 1:
            width = len(columns) - (len(names) - 1)
            at = names.index(None)
            if width >= 0:
                columns = [*given[:at], *columns[at : at + width], *given[at:]]
    table = table.rename_columns(columns)
    types = translation.types
    for index, field in enumerate(table.schema):
        source = sources[index]
        described = types[index] if index < len(types) else None
        if described is not None and _is_text(field.type):  # reg* values print as names, typed as PostgreSQL's
            table = table.set_column(
                index, field.with_metadata({TYPE_METADATA: described.encode()}), table.column(index)
            )
        elif pa.types.is_null(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.string()))
        elif pa.types.is_struct(field.type):  # ROW(...): PostgreSQL's record text, (1,a)
            records = pa.array(_records(table.column(index).combine_chunks()), pa.string())
            table = table.set_column(index, field.name, records)
        elif _is_text(field.type) and source is not None and source in STRING_COLUMN_TYPES:
            typed = field.with_metadata({TYPE_METADATA: STRING_COLUMN_TYPES[source].encode()})
            table = table.set_column(index, typed, table.column(index))
    return table


def _is_text(data_type: pa.DataType) -> bool:
    """A text column, or a list of text (a reg* array prints as a list of names)."""
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        data_type = data_type.value_type
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _records(column: pa.StructArray) -> list[str | None]:
    """Each ROW value as PostgreSQL prints a record (field names may repeat, so not via dictionaries)."""
    fields = [field.to_pylist() for field in column.flatten()]
    valid = column.is_valid().to_pylist()
    return [_record_text([f[i] for f in fields]) if valid[i] else None for i in range(len(column))]


def _record_text(values: list[object]) -> str:
    parts = []
    for item in values:
        text = "" if item is None else ("t" if item else "f") if isinstance(item, bool) else str(item)
        needs_quotes = item is not None and (text == "" or any(ch in text for ch in ',()"\\ '))
        parts.append('"' + text.replace('"', '""') + '"' if needs_quotes else text)
    return "(" + ",".join(parts) + ")"


def _expand_sources(sources: tuple[str | None, ...], result: list[str]) -> list[str | None]:
    """One source per result column: a star's columns are the result's own (catalog) names."""
    if "*" not in sources:
        return list(sources) + [None] * (len(result) - len(sources))
    if sources.count("*") != 1:
        return list(result)
    at = sources.index("*")
    width = len(result) - (len(sources) - 1)
    return [*sources[:at], *result[at : at + width], *sources[at + 1 :]]


def _error(error: ConnectorError) -> QuiverError | ConnectorError:
    """A DuckDB failure as the PostgreSQL error a client expects (see :mod:`server.engine_errors`; never DuckDB's text).

    Cancels, timeouts and memory exhaustion stay connector errors: the engine's result
    stream reports them exactly as it does for data queries.
    """
    if error.kind in (ErrorKind.CANCELLED, ErrorKind.TIMEOUT, ErrorKind.MEMORY):
        return error
    if error.kind is ErrorKind.TOO_COMPLEX:
        return StatementTooComplex("statement is too complex")
    if error.kind is ErrorKind.DATA and (raised := raised_by_rule(error.message)) is not None:
        return raised  # an error a PostgreSQL-meaning rule raised inside the engine
    return map_engine_error(error.message)

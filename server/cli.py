"""The ``quiver`` command: build the demo, validate models, compile and run queries.

Each subcommand is a thin shell over the engine; nothing here decides
semantics. Errors print as psql prints them (``ERROR:  ...``, ``HINT:  ...``)
and set a non-zero exit status.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from server.config import Settings
from server.errors import ModelInvalid, QuiverError


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        models=getattr(args, "models", None),
        database=getattr(args, "database", None),
        demo_scale=getattr(args, "scale", None),
    )


def _format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def print_table(table: pa.Table, out: Any = None) -> None:
    """Aligned columns with a header rule and a row count, like psql."""
    out = out or sys.stdout
    names = table.column_names
    columns = [column.to_pylist() for column in table.columns]  # by position: names may repeat
    rows = [[_format_value(column[i]) for column in columns] for i in range(table.num_rows)]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    out.write(" " + " | ".join(n.center(w) for n, w in zip(names, widths, strict=True)) + "\n")
    out.write("-" + "-+-".join("-" * w for w in widths) + "-\n")
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in table.schema.types]
    for row in rows:
        cells = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric, strict=True)]
        out.write(" " + " | ".join(cells) + "\n")
    count = len(rows)
    out.write(f"({count} row{'s' if count != 1 else ''})\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo.generate import build_demo, text_progress

    settings = _settings(args)
    sizes = build_demo(settings.database, settings.demo_scale, text_progress())
    print(
        f"demo data product written to {settings.database}: {sizes.customers:,} customers, "
        f"{sizes.products:,} products, {sizes.orders:,} orders"
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from server.semantic.build import build_manifest

    result = build_manifest(Path(args.directory), args.dialect)
    issues = list(result.issues)
    if args.source and result.manifest is not None:
        from connectors.base import ConnectorError
        from connectors.duckdb import DuckDBConnector
        from server.execution.executor import Executor
        from server.execution.source_check import check_sources

        try:
            connector = DuckDBConnector(args.source)
        except ConnectorError:
            print(f"quiver validate: cannot open the source {args.source}", file=sys.stderr)
            return 2
        try:
            issues.extend(check_sources(result.manifest, Executor(connector)))
        finally:
            connector.close()
    for issue in issues:
        print(issue)
    if args.explain and result.manifest is not None:
        from server.semantic.derivation import explain

        print(explain(result.manifest))
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _caller(args: argparse.Namespace) -> Any:
    """The CLI acts as a user of the users file (roles and attributes included), on the sql channel."""
    from server.errors import InvalidAuthorization
    from server.policy.identity import Caller
    from server.policy.users import UserStore

    path = _settings(args).users_file
    if not path.is_file():
        return Caller(args.user, channel="sql")
    user = UserStore.load(path).get(args.user)
    if user is None:
        raise InvalidAuthorization(f'role "{args.user}" does not exist', hint=f"Users are listed in {path}.")
    return user.caller("sql")


def cmd_compile(args: argparse.Namespace) -> int:
    from server.engine import Engine
    from server.semantic.store import ModelStore
    from server.sql.limits import set_max_query_bytes

    settings = _settings(args)
    set_max_query_bytes(settings.max_query_bytes)
    engine = Engine(ModelStore(settings.models, args.model_dialect))
    compiled = engine.compile(args.sql, _caller(args), target=args.dialect)
    print(compiled.explain() if args.explain else compiled.sql)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from server.app import build_app
    from server.sql.parser import parse_statement
    from server.sql.session_info import SessionInfo
    from server.statement import StatementService

    app = build_app(_settings(args))
    try:
        caller = _caller(args)
        # The same path as a wire session: catalog, constants and data answered alike.
        session = SessionInfo(user=caller.user, database=app.engine.database_name)
        result = StatementService(app.engine).query(args.sql, caller, session)
        table = result.read_all()
        if args.explain:
            print(app.engine.explain(parse_statement(args.sql), caller))
            # The operator's view (the CLI reads the model files anyway): what this caller may not see, and why.
            print(app.engine.governance(caller).explain_hidden())
            print()
        if args.format == "json":
            json.dump(table.to_pylist(), sys.stdout, default=str, indent=2)
            print()
        elif args.format == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(table.column_names)
            columns = [column.to_pylist() for column in table.columns]
            writer.writerows([_format_value(c[i]) for c in columns] for i in range(table.num_rows))
        else:
            print_table(table)
    finally:
        app.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from server.app import check_model, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env(
        models=args.models,
        database=args.database,
        users=args.users,
        pg_host=args.pg_host,
        pg_port=args.pg_port,
        auth=args.auth,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        workers=args.workers,
        max_connections=args.max_connections,
        idle_timeout=args.idle_timeout,
        flight_host=args.flight_host,
        flight_port=args.flight_port,
    )
    # Every problem of the model and its sources, before any process starts (main() prints them).
    check_model(settings)
    print(
        f"quiver: serving {settings.models} on postgresql://{settings.pg_host}:{settings.pg_port}/"
        f"{settings.database_name} (auth {settings.auth})",
        file=sys.stderr,
    )
    if settings.flight_port:
        scheme = "grpc+tls" if settings.tls_cert else "grpc"
        print(
            f"quiver: Arrow Flight / Flight SQL on {scheme}://{settings.flight_host}:{settings.flight_port}",
            file=sys.stderr,
        )
    if settings.is_demo and settings.users is None:
        print(
            "quiver: demo users: admin / admin-pass (sees everything), analyst / analyst-pass (personal data\n"
            "quiver:   masked), eu_analyst / eu-analyst-pass (also EU rows only, no gross revenue), guest /\n"
            "quiver:   guest-pass (catalog only)\n"
            f"quiver: try  psql 'postgresql://admin:admin-pass@{settings.pg_host}:{settings.pg_port}/"
            f"{settings.database_name}'",
            file=sys.stderr,
        )
    return serve(settings, checked=True)


def cmd_user_add(args: argparse.Namespace) -> int:
    import getpass

    from server.policy.users import UserStore

    settings = Settings.from_env(users=args.users)
    store = UserStore.load(settings.users_file)
    password = args.password or getpass.getpass(f"password for {args.name}: ")
    attributes: dict[str, Any] = {}
    for item in args.attribute:
        key, _, value = item.partition("=")
        attributes[key] = int(value) if value.isdigit() else value
    store.add(args.name, password, roles=tuple(args.role), attributes=attributes, with_md5=args.md5)
    path = store.save(settings.users_file)
    print(f"user {args.name} written to {path}")
    return 0


def cmd_user_key(args: argparse.Namespace) -> int:
    from server.policy.users import UserStore

    settings = Settings.from_env(users=args.users)
    store = UserStore.load(settings.users_file)
    key = store.new_api_key(args.name)
    store.save(settings.users_file)
    print(key)
    print(f"API key for {args.name} (shown once; its SHA-256 is in {settings.users_file})", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quiver", description="Quiver: a governed semantic-layer query server.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_models(p: argparse.ArgumentParser) -> None:
        p.add_argument("--models", help="model directory (default: the demo data product)")
        p.add_argument("--database", help="DuckDB file the models read")

    demo = sub.add_parser("demo", help="generate the demo data product's data")
    demo.add_argument("--scale", type=float, help="data size; 1 = 2,000 customers and 20,000 orders")
    demo.add_argument("--database", help="where to write the DuckDB file")
    demo.set_defaults(func=cmd_demo)

    validate = sub.add_parser("validate", help="check a model directory and list every problem")
    validate.add_argument("directory")
    validate.add_argument("--dialect", default="duckdb", help="SQL dialect of the model's SQL")
    validate.add_argument("--source", help="a DuckDB file to check the model's columns against")
    validate.add_argument(
        "--explain", action="store_true", help="show, per user group, what policies hide or mask and why"
    )
    validate.set_defaults(func=cmd_validate)

    compile_ = sub.add_parser("compile", help="print the SQL a semantic query compiles to")
    with_models(compile_)
    compile_.add_argument("--dialect", default="duckdb", help="duckdb, postgres, trino, spark, snowflake, bigquery")
    compile_.add_argument("--model-dialect", default="duckdb")
    compile_.add_argument("--user", default="admin")
    compile_.add_argument("--explain", action="store_true", help="show the plan and the policies applied")
    compile_.add_argument("sql")
    compile_.set_defaults(func=cmd_compile)

    query = sub.add_parser("query", help="run a semantic query and print the result")
    with_models(query)
    query.add_argument("--user", default="admin")
    query.add_argument("--explain", action="store_true", help="show the plan and the policies applied")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("sql")
    query.set_defaults(func=cmd_query)

    serve = sub.add_parser("serve", help="serve the data product over the PostgreSQL wire protocol")
    with_models(serve)
    serve.add_argument("--users", help="users file (default: the demo's users when serving the demo)")
    serve.add_argument("--pg-host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--pg-port", type=int, help="listen port (default 15432)")
    serve.add_argument("--auth", choices=("scram-sha-256", "md5", "password", "trust"))
    serve.add_argument("--tls-cert", help="TLS certificate (PEM)")
    serve.add_argument("--tls-key", help="TLS private key (PEM)")
    serve.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    serve.add_argument("--flight-host", help="Arrow Flight listen address (default 127.0.0.1)")
    serve.add_argument("--flight-port", type=int, help="Arrow Flight port (default 8815; 0 = no Flight server)")
    serve.add_argument("--max-connections", type=int)
    serve.add_argument("--idle-timeout", type=float, help="seconds before an idle connection is closed")
    serve.set_defaults(func=cmd_serve)

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="add or replace a user (stores a SCRAM-SHA-256 verifier)")
    add.add_argument("name")
    add.add_argument("--password", help="the password (prompted when absent)")
    add.add_argument("--role", action="append", default=[], help="a role (repeatable)")
    add.add_argument("--attribute", action="append", default=[], help="key=value (repeatable), e.g. region=EU")
    add.add_argument("--md5", action="store_true", help="also store an md5 verifier (for --auth md5)")
    add.add_argument("--users", help="users file to write")
    add.set_defaults(func=cmd_user_add)
    key = user_sub.add_parser("key", help="create an API key for a user (HTTP and Flight bearer token)")
    key.add_argument("name")
    key.add_argument("--users", help="users file to write")
    key.set_defaults(func=cmd_user_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ModelInvalid as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except QuiverError as exc:
        print(exc.describe(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

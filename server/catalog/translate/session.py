"""The session's values as SQL literals, for the macros and table macros that depend on them."""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.translate.context import Context


def session_settings(ctx: Context) -> exp.Expr:
    """The settings a session has (search_path, application_name and any it SET) as a list of structs."""
    settings = dict(ctx.session.settings)
    settings["search_path"] = ", ".join(ctx.session.search_path)
    settings["application_name"] = ctx.session.application_name
    settings.setdefault("is_superuser", "off")
    structs = [
        exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("name"), expression=exp.Literal.string(name)),
                exp.PropertyEQ(this=exp.to_identifier("setting"), expression=exp.Literal.string(str(value))),
            ]
        )
        for name, value in settings.items()
    ]
    return exp.Array(expressions=structs)


def session_arguments(ctx: Context) -> list[exp.Expr]:
    """The arguments every session table macro takes (see providers.base.SESSION_PARAMETERS)."""
    return [
        exp.Literal.string(ctx.user),
        exp.Literal.number(ctx.user_oid),
        exp.Literal.string(ctx.session.application_name),
        exp.Literal.number(ctx.session.backend_pid),
        session_settings(ctx),
    ]

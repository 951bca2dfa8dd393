"""Which functions user SQL may call on data: an allowlist, checked before anything is planned.

:data:`ALLOWED` is Quiver's surface, with DuckDB's meaning; each target engine
(``server.render.targets``) runs the part of it listed for that engine, and
refuses the rest with 0A000 when the SQL is rendered.

sqlglot parses the functions it knows into typed nodes (``SUM``, ``DATE_TRUNC``,
``REGEXP_REPLACE``...) and renders each in the engine's dialect; those are
allowed, except the few that read files. A function sqlglot does not know stays
*anonymous* and would reach the engine by name, so it must be on
:data:`ALLOWED` — plain scalar and aggregate functions that compute on their
arguments only. Everything else (``error()``, ``getvariable()``,
``current_setting()`` of engine settings, ``pg_sleep()``, ``read_text()``, any
function an extension adds later) is refused with 42883, as PostgreSQL reports
an unknown function, so the engine's own surface is never reachable from SQL.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.errors import FeatureNotSupported, InsufficientPrivilege, SqlSyntaxError, UndefinedFunction

# Typed sqlglot nodes that read or write outside the query.
FORBIDDEN_TYPED: tuple[type[exp.Expr], ...] = tuple(
    getattr(exp, name) for name in ("ReadCSV", "ReadParquet", "ToFile") if hasattr(exp, name)
)

# DuckDB's star expressions pick columns by matching the engine's scan, not the caller's members:
# COLUMNS('regex'), COLUMNS(*), COLUMNS(lambda), *COLUMNS(...), and any star that is not a whole select
# item (* LIKE 'em%', * SIMILAR TO, * GLOB, (*), * || ''). They would reach a table's raw columns (an
# unmasked email when no masked member is selected) and the inputs of visible measures (a hidden
# gross_amount under net_revenue). COLUMNS is refused like any function outside the allowlist; a star
# anywhere but ``SELECT *``, ``SELECT t.*`` and ``count(*)`` as PostgreSQL refuses it (42601).
STAR_EXPRESSIONS: tuple[type[exp.Expr], ...] = (exp.Columns,)


def _whole_rows(star: exp.Star) -> bool:
    """Is this star a select item (``*``, ``t.*``, which the resolver expands to members) or ``count(*)``?"""
    node: exp.Expr = star
    if isinstance(node.parent, exp.Column):
        node = node.parent
    return isinstance(node.parent, exp.Select | exp.Count)


ALLOWED = frozenset(
    """
    abs acos acosh add age array_aggr array_aggregate array_append array_apply array_cat array_concat
    array_contains array_distinct array_extract array_filter array_grade_up array_has array_has_all
    array_has_any array_indexof array_length array_lower array_position array_prepend array_reduce
    array_remove array_reverse array_reverse_sort array_select array_slice array_sort array_to_string
    array_transform array_unique array_upper array_value array_where array_zip arbitrary arg_max arg_min
    ascii asin asinh atan atan2 atanh avg base64 bin bit_and bit_count bit_length bit_or bit_xor bool_and
    bool_or btrim cardinality cbrt ceil ceiling century char_length character_length chr concat concat_ws
    contains corr cos cosh cot count covar_pop covar_samp damerau_levenshtein date_diff date_part date_sub
    date_trunc datediff datepart datesub datetrunc day dayname dayofmonth dayofweek dayofyear days_in_month
    decade degrees div divide editdist3 element_at ends_with entropy epoch epoch_ms epoch_ns epoch_us
    equi_width_bins era even exp extract factorial favg fdiv first flatten floor fmod format format_bytes
    formatreadabledecimalsize formatreadablesize from_base64 from_binary from_hex fsum gamma gcd
    generate_subscripts geomean geometric_mean greatest greatest_common_divisor hamming hash histogram
    hour ilike_escape initcap instr isfinite isinf isnan isodow isoyear jaccard jaro_similarity
    jaro_winkler_similarity json json_array json_array_length json_contains json_exists json_extract
    json_extract_path json_extract_path_text json_extract_string json_group_array json_group_object
    json_keys json_merge_patch json_object json_pretty json_quote json_structure json_transform
    json_transform_strict json_type json_valid julian justify_days justify_hours justify_interval
    kahan_sum kurtosis kurtosis_pop last last_day lcm lcase least least_common_multiple left
    left_grapheme len length length_grapheme levenshtein lgamma like_escape list_aggr list_aggregate
    list_any_value list_append list_apply list_approx_count_distinct list_avg list_bit_and list_bit_or
    list_bit_xor list_bool_and list_bool_or list_cat list_concat list_contains list_count list_distinct
    list_element list_entropy list_extract list_filter list_first list_grade_up list_has list_has_all
    list_has_any list_histogram list_indexof list_intersect list_kurtosis list_last list_mad list_max
    list_median list_min list_mode list_pack list_position list_prepend list_product list_reduce
    list_resize list_reverse list_reverse_sort list_select list_sem list_skewness list_slice list_sort
    list_stddev_pop list_stddev_samp list_string_agg list_sum list_transform list_unique list_value
    list_var_pop list_var_samp list_where list_zip listagg ln log log10 log2 lower lpad ltrim mad
    make_date make_interval make_time make_timestamp make_timestamp_ms make_timestamp_ns make_timestamptz
    map map_concat map_contains map_contains_entry map_contains_value map_entries map_extract
    map_extract_value map_from_entries map_keys map_values max mean median microsecond millennium
    millisecond min minute mismatches mod mode month monthname multiply nanosecond nextafter
    nfc_normalize normalized_interval not_ilike_escape not_like_escape now nullif octet_length ord
    parse_formatted_bytes pi position pow power prefix printf product quantile quantile_cont
    quantile_disc quarter radians random range rank_dense regexp_escape regexp_extract regexp_extract_all
    regexp_full_match regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table repeat
    replace reservoir_quantile reverse right right_grapheme round round_even roundbankers row
    row_to_json rpad rtrim second sem sign signbit sin sinh skewness split split_part sqrt starts_with
    stddev stddev_pop stddev_samp str_split str_split_regex strftime string_agg string_split
    string_split_regex string_to_array strip_accents strlen strpos strptime struct_extract struct_pack
    substr substring substring_grapheme subtract suffix sum tan tanh time_bucket timezone timezone_hour
    timezone_minute to_base to_base64 to_centuries to_char to_date to_days to_decades to_hex to_hours
    to_json to_microseconds to_millennia to_milliseconds to_minutes to_months to_number to_quarters
    to_seconds to_timestamp to_weeks to_years today translate trim trunc try_strptime typeof ucase
    unbin unhex unicode upper url_decode url_encode uuid uuidv4 uuidv7 var_pop var_samp variance
    week weekday weekofyear weighted_avg wavg xor year yearweek
    pg_typeof measure
    """.split()  # noqa: SIM905 - one name per word reads better than a 300-item list literal
)


# The functions each other engine runs *by name* with the meaning Quiver's SQL gives them (DuckDB's).
# Only names sqlglot leaves anonymous need a list: the typed ones (SUM, DATE_TRUNC, REGEXP_REPLACE,
# LEFT ...) are written in each engine's own spelling by sqlglot. A name is listed only where the
# engine has a function of that name, arguments and result; everything else is refused for that
# target (0A000) instead of reaching it as SQL it would reject, or worse, run with another meaning
# (Spark's ``weekday`` counts from Monday, its ``hash`` is Murmur3; PostgreSQL's ``format`` is printf).
# fmt: off
POSTGRES_FUNCTIONS = frozenset((
    "age", "cardinality", "gcd", "isfinite", "lcm", "make_date", "make_timestamptz", "octet_length",
    "pg_typeof", "regexp_split_to_array", "regexp_split_to_table", "row", "row_to_json", "timezone", "to_json",
))
TRINO_FUNCTIONS = frozenset((
    "arbitrary", "cardinality", "element_at", "from_hex", "json_array_length", "millisecond", "row",
    "timezone_hour", "timezone_minute", "to_base", "url_decode", "url_encode",
))
SPARK_FUNCTIONS = frozenset((
    "bin", "bit_count", "cardinality", "element_at", "json_array_length", "make_date", "map_concat",
    "map_entries", "map_values", "mean", "octet_length", "url_decode", "url_encode",
))
SNOWFLAKE_FUNCTIONS = frozenset(("octet_length",))
BIGQUERY_FUNCTIONS: frozenset[str] = frozenset()
# fmt: on


def check_functions(tree: exp.Expr) -> None:
    """Raise unless every function ``tree`` calls is allowed (see the module docstring)."""
    for star in tree.find_all(exp.Star):
        if any(star.args.get(key) for key in ("replace", "rename", "ilike")):
            raise FeatureNotSupported(
                "* REPLACE, * RENAME and * ILIKE are not supported",
                hint="Name the columns you need (* EXCLUDE (...) is supported).",
            )
        if not _whole_rows(star):
            raise SqlSyntaxError(
                'syntax error at or near "*"',
                hint="A star stands for whole rows only (SELECT *, SELECT t.*, count(*)); name the columns you need.",
            )
    for node in tree.find_all(exp.Func):
        if isinstance(node.parent, exp.Table):
            continue  # a table function: refused where relations are checked (42501)
        if isinstance(node, FORBIDDEN_TYPED):
            raise InsufficientPrivilege(f"{node.key.upper()} reads outside the data product and is not allowed")
        if isinstance(node, STAR_EXPRESSIONS):
            raise UndefinedFunction(
                "function columns() does not exist",
                hint="Name the columns you need; \\d shows a relation's columns.",
            )
        if isinstance(node, exp.Anonymous):
            name = str(node.this)
            if name.lower() not in ALLOWED:
                raise UndefinedFunction(
                    f"function {name}() does not exist",
                    hint="Quiver allows common scalar and aggregate functions; see the README (reachable surface).",
                )

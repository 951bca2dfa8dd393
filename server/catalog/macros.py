"""PostgreSQL's catalog functions as DuckDB macros, in their own schema.

DuckDB ships its own ``pg_catalog`` macros (``format_type``, ``pg_get_expr``...)
with answers about DuckDB; ours live in schema ``qf`` and the translator always
calls them qualified, so a name never resolves to DuckDB's version. Macros that
depend on the session (visibility through search_path, the current user) take
the session's values as extra arguments, which the translator supplies as
literals. Answers that never vary (privileges, recovery state, sizes) are
literals placed by the translator, not macros.

Schemas: ``pgc`` holds the pg_catalog tables, ``pgi`` information_schema,
``qstore`` the stored rows of session-dependent tables, ``qs`` their table
macros, and ``qf`` functions and helper tables.
"""

from __future__ import annotations

# Scalar helpers over names. A reg* input is an OID (as a number or digits) or a name, possibly
# schema-qualified and quoted; unquoted names fold to lower case as in PostgreSQL.
NAME_MACROS = r"""
CREATE MACRO qf.ident_name(x) AS CASE
    WHEN contains(CAST(x AS VARCHAR), '"') THEN replace(string_split(CAST(x AS VARCHAR), '.')[-1], '"', '')
    ELSE lower(trim(string_split(CAST(x AS VARCHAR), '.')[-1])) END;
CREATE MACRO qf.ident_schema(x) AS CASE WHEN len(string_split(CAST(x AS VARCHAR), '.')) > 1
    THEN lower(replace(string_split(CAST(x AS VARCHAR), '.')[-2], '"', '')) END;
CREATE MACRO qf.quote_ident(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(CAST(s AS VARCHAR), '[a-z_][a-z0-9_$]*')
         AND NOT EXISTS (SELECT 1 FROM qf.keywords q_k WHERE q_k.word = s AND q_k.catcode <> 'U')
        THEN CAST(s AS VARCHAR)
    ELSE '"' || replace(CAST(s AS VARCHAR), '"', '""') || '"' END;
CREATE MACRO qf.quote_literal(s) AS CASE WHEN s IS NULL THEN NULL
    ELSE '''' || replace(CAST(s AS VARCHAR), '''', '''''') || '''' END;
CREATE MACRO qf.quote_nullable(s) AS coalesce(qf.quote_literal(s), 'NULL');
-- parse_ident('"Some".thing') is {Some,thing}: quoted parts keep their case, others fold to lower case.
CREATE MACRO qf.parse_ident(s) AS list_transform(
    regexp_extract_all(CAST(s AS VARCHAR), '"(?:[^"]|"")*"|[^.]+'),
    part -> CASE WHEN starts_with(trim(part), '"') THEN replace(trim(part)[2:-2], '""', '"')
                 ELSE lower(trim(part)) END);
"""

REG_MACROS = r"""
CREATE MACRO qf.regclass_in(x) AS coalesce(TRY_CAST(x AS UINTEGER), (
    SELECT min(q_c.oid) FROM pgc.pg_class q_c JOIN pgc.pg_namespace q_n ON q_n.oid = q_c.relnamespace
    WHERE q_c.relname = qf.ident_name(x)
      AND ((qf.ident_schema(x) IS NULL AND q_n.nspname IN ('pg_catalog', 'public'))
           OR q_n.nspname = qf.ident_schema(x))));
CREATE MACRO qf.regtype_in(x) AS coalesce(TRY_CAST(x AS UINTEGER), (
    SELECT min(q_t.oid) FROM qf.type_lookup q_t
    WHERE q_t.name = lower(trim(replace(CAST(x AS VARCHAR), 'pg_catalog.', '')))));
CREATE MACRO qf.regproc_in(x) AS coalesce(TRY_CAST(x AS UINTEGER), (
    SELECT min(q_p.oid) FROM pgc.pg_proc q_p WHERE q_p.proname = qf.ident_name(x)));
CREATE MACRO qf.regnamespace_in(x) AS coalesce(TRY_CAST(x AS UINTEGER), (
    SELECT min(q_n.oid) FROM pgc.pg_namespace q_n WHERE q_n.nspname = qf.ident_name(x)));
CREATE MACRO qf.regrole_in(x, u, uoid) AS coalesce(TRY_CAST(x AS UINTEGER), (
    SELECT min(q_r.oid) FROM qstore.pg_authid q_r WHERE q_r.rolname = qf.ident_name(x)),
    CASE WHEN qf.ident_name(x) = u THEN CAST(uoid AS UINTEGER) END);
CREATE MACRO qf.regclass_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(CASE WHEN q_n.nspname IN ('pg_catalog', 'public') THEN qf.quote_ident(q_c.relname)
                    ELSE qf.quote_ident(q_n.nspname) || '.' || qf.quote_ident(q_c.relname) END)
    FROM pgc.pg_class q_c JOIN pgc.pg_namespace q_n ON q_n.oid = q_c.relnamespace WHERE q_c.oid = o),
    CAST(o AS VARCHAR)) END;
CREATE MACRO qf.regtype_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(q_t.sqlname) FROM qf.type_names q_t WHERE q_t.oid = o), CAST(o AS VARCHAR)) END;
CREATE MACRO qf.regproc_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(q_p.proname) FROM pgc.pg_proc q_p WHERE q_p.oid = o), CAST(o AS VARCHAR)) END;
CREATE MACRO qf.regprocedure_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(q_s.signature) FROM qf.proc_signatures q_s WHERE q_s.oid = o), CAST(o AS VARCHAR)) END;
CREATE MACRO qf.regnamespace_out(o) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(q_n.nspname) FROM pgc.pg_namespace q_n WHERE q_n.oid = o), CAST(o AS VARCHAR)) END;
CREATE MACRO qf.regrole_out(o, u, uoid) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-' ELSE coalesce((
    SELECT min(q_r.rolname) FROM qstore.pg_authid q_r WHERE q_r.oid = o), CASE WHEN o = uoid THEN u END,
    CAST(o AS VARCHAR)) END;
"""

DESCRIBE_MACROS = r"""
CREATE MACRO qf.format_type(t, m) AS CASE WHEN t IS NULL THEN NULL ELSE coalesce((
    SELECT min(CASE
        WHEN m IS NULL OR m < 0 THEN q_n.sqlname
        WHEN q_n.typname IN ('varchar', 'bpchar') THEN q_n.sqlname || '(' || (m - 4) || ')'
        WHEN q_n.typname IN ('_varchar', '_bpchar') THEN replace(q_n.sqlname, '[]', '') || '(' || (m - 4) || ')[]'
        WHEN q_n.typname = 'numeric' THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')'
        WHEN q_n.typname IN ('timestamp', 'timestamptz', 'time', 'timetz')
            THEN replace(q_n.sqlname, ' with', '(' || m || ') with')
        WHEN q_n.typname IN ('bit', 'varbit') THEN q_n.sqlname || '(' || m || ')'
        ELSE q_n.sqlname END)
    FROM qf.type_names q_n WHERE q_n.oid = t), '???') END;
CREATE MACRO qf.pg_get_userbyid(r, u, uoid) AS CASE WHEN r IS NULL THEN NULL ELSE coalesce(
    (SELECT min(q_a.rolname) FROM qstore.pg_authid q_a WHERE q_a.oid = r),
    CASE WHEN r = uoid THEN u END, 'unknown (OID=' || r || ')') END;
CREATE MACRO qf.pg_get_expr(e, r) AS CAST(e AS VARCHAR), (e, r, p) AS CAST(e AS VARCHAR);
CREATE MACRO qf.pg_get_indexdef(i) AS (SELECT min(q_d.def) FROM qf.index_defs q_d WHERE q_d.oid = i),
    (i, c, p) AS (SELECT min(CASE WHEN c = 0 THEN q_d.def ELSE q_d.keys[c] END)
                  FROM qf.index_defs q_d WHERE q_d.oid = i);
CREATE MACRO qf.pg_get_constraintdef(c) AS (SELECT min(q_d.def) FROM qf.constraint_defs q_d WHERE q_d.oid = c),
    (c, p) AS (SELECT min(q_d.def) FROM qf.constraint_defs q_d WHERE q_d.oid = c);
CREATE MACRO qf.pg_get_viewdef(v) AS (SELECT min(q_d.def) FROM qf.view_defs q_d WHERE q_d.oid = qf.regclass_in(v)),
    (v, p) AS (SELECT min(q_d.def) FROM qf.view_defs q_d WHERE q_d.oid = qf.regclass_in(v));
CREATE MACRO qf.pg_get_function_result(o) AS (SELECT min(q_s.result) FROM qf.proc_signatures q_s WHERE q_s.oid = o);
CREATE MACRO qf.pg_get_function_arguments(o) AS (
    SELECT min(q_s.arguments) FROM qf.proc_signatures q_s WHERE q_s.oid = o);
CREATE MACRO qf.obj_description(o) AS (
    SELECT min(q_d.description) FROM pgc.pg_description q_d WHERE q_d.objoid = o AND q_d.objsubid = 0),
    (o, cls) AS (SELECT min(q_d.description) FROM pgc.pg_description q_d
                 WHERE q_d.objoid = o AND q_d.objsubid = 0 AND q_d.classoid = qf.regclass_in(cls));
CREATE MACRO qf.col_description(r, n) AS (SELECT min(q_d.description) FROM pgc.pg_description q_d
    WHERE q_d.objoid = r AND q_d.classoid = 1259 AND q_d.objsubid = n);
CREATE MACRO qf.pg_table_is_visible(o, path) AS (SELECT bool_or(list_contains(path, q_n.nspname))
    FROM pgc.pg_class q_c JOIN pgc.pg_namespace q_n ON q_n.oid = q_c.relnamespace WHERE q_c.oid = o);
CREATE MACRO qf.pg_type_is_visible(o, path) AS (SELECT bool_or(list_contains(path, q_n.nspname))
    FROM pgc.pg_type q_t JOIN pgc.pg_namespace q_n ON q_n.oid = q_t.typnamespace WHERE q_t.oid = o);
CREATE MACRO qf.pg_function_is_visible(o, path) AS (SELECT bool_or(list_contains(path, q_n.nspname))
    FROM pgc.pg_proc q_p JOIN pgc.pg_namespace q_n ON q_n.oid = q_p.pronamespace WHERE q_p.oid = o);
CREATE MACRO qf.pg_encoding_to_char(e) AS CASE e WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END;
CREATE MACRO qf.pg_char_to_encoding(s) AS CASE upper(s) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 ELSE -1 END;
CREATE MACRO qf.current_setting(n, settings) AS coalesce(
    (SELECT min(q_o.setting) FROM (SELECT unnest(settings, recursive := true)) q_o WHERE lower(q_o.name) = lower(n)),
    (SELECT min(q_s.setting) FROM qstore.pg_settings q_s WHERE lower(q_s.name) = lower(n)));
CREATE MACRO qf.pg_size_pretty(b) AS CASE
    WHEN b IS NULL THEN NULL
    WHEN abs(b) < 10240 THEN CAST(b AS BIGINT) || ' bytes'
    WHEN abs(b) < 10240 * 1024 THEN CAST(round(b / 1024) AS BIGINT) || ' kB'
    WHEN abs(b) < 10240 * 1024 * 1024 THEN CAST(round(b / 1048576) AS BIGINT) || ' MB'
    WHEN abs(b) < 10240 * 1024 * 1024 * 1024 THEN CAST(round(b / 1073741824) AS BIGINT) || ' GB'
    ELSE CAST(round(b / 1099511627776) AS BIGINT) || ' TB' END;
"""

ARRAY_MACROS = r"""
CREATE MACRO qf.array_lower(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE 1 END;
CREATE MACRO qf.array_upper(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE len(a) END;
CREATE MACRO qf.vector_lower(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE 0 END;
CREATE MACRO qf.vector_upper(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE len(a) - 1 END;
CREATE MACRO qf.array_length(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d <> 1 THEN NULL ELSE len(a) END;
CREATE MACRO qf.cardinality(a) AS len(a);
CREATE MACRO qf.array_to_string(a, s) AS array_to_string(a, s),
    (a, s, n) AS array_to_string(list_transform(a, lambda x: coalesce(CAST(x AS VARCHAR), n)), s);
CREATE MACRO qf._pg_expandarray(a) AS
    list_transform(generate_series(1, len(a)), lambda i: {'x': a[i], 'n': CAST(i AS INTEGER)});
CREATE MACRO qf.pg_typeof_name(t) AS CASE
    WHEN t = 'INTEGER' THEN 'integer' WHEN t = 'BIGINT' THEN 'bigint' WHEN t = 'SMALLINT' THEN 'smallint'
    WHEN t = 'VARCHAR' THEN 'text' WHEN t = 'BOOLEAN' THEN 'boolean' WHEN t = 'DOUBLE' THEN 'double precision'
    WHEN t = 'FLOAT' THEN 'real' WHEN t = 'UINTEGER' THEN 'oid' WHEN t = 'DATE' THEN 'date'
    WHEN t = 'TIMESTAMP' THEN 'timestamp without time zone'
    WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone' WHEN t = 'INTERVAL' THEN 'interval'
    WHEN t = 'TIME' THEN 'time without time zone' WHEN t = 'JSON' THEN 'json' WHEN t = 'BLOB' THEN 'bytea'
    WHEN t = 'UUID' THEN 'uuid' WHEN t = '"NULL"' THEN 'unknown' WHEN t LIKE 'DECIMAL%' THEN 'numeric'
    WHEN t LIKE '%[]' THEN 'anyarray' ELSE lower(t) END;
"""

INDEX_MACROS = r"""
CREATE MACRO qf.pg_indexam_has_property(am, p) AS
    am = 403 AND lower(p) IN ('can_order', 'can_unique', 'can_multi_col', 'can_exclude', 'can_include');
CREATE MACRO qf.pg_index_has_property(i, p) AS lower(p) IN ('clusterable', 'index_scan', 'bitmap_scan',
    'backward_scan');
CREATE MACRO qf.pg_index_column_has_property(i, c, p) AS lower(p) IN ('asc', 'nulls_last', 'orderable',
    'returnable', 'search_array', 'search_nulls');
"""

INFORMATION_SCHEMA_MACROS = r"""
CREATE MACRO qf._pg_char_max_length(t, m) AS CASE WHEN t IN (1042, 1043) AND m >= 4 THEN m - 4 END;
CREATE MACRO qf._pg_char_octet_length(t, m) AS CASE WHEN t IN (25, 1042, 1043) THEN
    CASE WHEN m >= 4 THEN (m - 4) * 4 ELSE 1073741824 END END;
CREATE MACRO qf._pg_numeric_precision(t, m) AS CASE
    WHEN t = 21 THEN 16 WHEN t = 23 THEN 32 WHEN t = 20 THEN 64 WHEN t = 700 THEN 24 WHEN t = 701 THEN 53
    WHEN t = 1700 THEN CASE WHEN m >= 4 THEN ((m - 4) >> 16) & 65535 END END;
CREATE MACRO qf._pg_numeric_precision_radix(t, m) AS CASE
    WHEN t IN (20, 21, 23, 700, 701) THEN 2 WHEN t = 1700 THEN 10 END;
CREATE MACRO qf._pg_numeric_scale(t, m) AS CASE
    WHEN t IN (20, 21, 23) THEN 0 WHEN t = 1700 THEN CASE WHEN m >= 4 THEN (m - 4) & 65535 END END;
CREATE MACRO qf._pg_datetime_precision(t, m) AS CASE
    WHEN t = 1082 THEN 0 WHEN t IN (1083, 1114, 1184, 1266, 1186) THEN CASE WHEN m < 0 THEN 6 ELSE m END END;
"""

MACROS = (NAME_MACROS, REG_MACROS, DESCRIBE_MACROS, ARRAY_MACROS, INDEX_MACROS, INFORMATION_SCHEMA_MACROS)

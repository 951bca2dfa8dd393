"""Catalog tables that are always empty on Quiver, declared by their columns alone.

Quiver has no foreign keys, triggers, policies, publications, sequences,
inheritance, enums or user functions, but clients still join these tables
(psql's ``\\d`` reads pg_policy, pg_statistic_ext, pg_publication and
pg_inherits), so each exists with PostgreSQL 16's columns and no rows. An empty
result with the right columns is the correct answer.
"""

from __future__ import annotations

from server.catalog.providers.base import Provider, table

# (schema, name, PostgreSQL's OID, relkind, columns)
EMPTY_TABLES: tuple[tuple[str, str, int, str, str], ...] = (
    (
        "pg_catalog",
        "pg_auth_members",
        1261,
        "r",
        """
oid oid, roleid oid, member oid, grantor oid, admin_option bool, inherit_option bool, set_option
bool
""",
    ),
    (
        "pg_catalog",
        "pg_attrdef",
        2604,
        "r",
        """
oid oid, adrelid oid, adnum int2, adbin pg_node_tree
""",
    ),
    (
        "pg_catalog",
        "pg_enum",
        3501,
        "r",
        """
oid oid, enumtypid oid, enumsortorder float4, enumlabel name
""",
    ),
    (
        "pg_catalog",
        "pg_range",
        3541,
        "r",
        """
rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical
regproc, rngsubdiff regproc
""",
    ),
    (
        "pg_catalog",
        "pg_inherits",
        2611,
        "r",
        """
inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool
""",
    ),
    (
        "pg_catalog",
        "pg_matviews",
        12038,
        "v",
        """
schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes bool, ispopulated
bool, definition text
""",
    ),
    (
        "pg_catalog",
        "pg_policy",
        3256,
        "r",
        """
oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles _oid, polqual
pg_node_tree, polwithcheck pg_node_tree
""",
    ),
    (
        "pg_catalog",
        "pg_statistic_ext",
        3381,
        "r",
        """
oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys
int2vector, stxkind _char, stxexprs pg_node_tree
""",
    ),
    (
        "pg_catalog",
        "pg_publication",
        6104,
        "r",
        """
oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete
bool, pubtruncate bool, pubviaroot bool
""",
    ),
    (
        "pg_catalog",
        "pg_publication_rel",
        6106,
        "r",
        """
oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector
""",
    ),
    (
        "pg_catalog",
        "pg_publication_namespace",
        6237,
        "r",
        """
oid oid, pnpubid oid, pnnspid oid
""",
    ),
    (
        "pg_catalog",
        "pg_trigger",
        2620,
        "r",
        """
oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char,
tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool,
tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable
name, tgnewtable name
""",
    ),
    (
        "pg_catalog",
        "pg_foreign_table",
        3118,
        "r",
        """
ftrelid oid, ftserver oid, ftoptions _text
""",
    ),
    (
        "pg_catalog",
        "pg_foreign_server",
        1417,
        "r",
        """
oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl _aclitem,
srvoptions _text
""",
    ),
    (
        "pg_catalog",
        "pg_foreign_data_wrapper",
        2328,
        "r",
        """
oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl _aclitem, fdwoptions
_text
""",
    ),
    (
        "pg_catalog",
        "pg_user_mapping",
        1418,
        "r",
        """
oid oid, umuser oid, umserver oid, umoptions _text
""",
    ),
    (
        "pg_catalog",
        "pg_partitioned_table",
        3350,
        "r",
        """
partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2vector, partclass
oidvector, partcollation oidvector, partexprs pg_node_tree
""",
    ),
    (
        "pg_catalog",
        "pg_sequence",
        2224,
        "r",
        """
seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache
int8, seqcycle bool
""",
    ),
    (
        "pg_catalog",
        "pg_sequences",
        12048,
        "v",
        """
schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8,
min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8
""",
    ),
    (
        "pg_catalog",
        "pg_depend",
        2608,
        "r",
        """
classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char
""",
    ),
    (
        "pg_catalog",
        "pg_shdepend",
        1214,
        "r",
        """
dbid oid, classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, deptype char
""",
    ),
    (
        "pg_catalog",
        "pg_shdescription",
        2396,
        "r",
        """
objoid oid, classoid oid, description text
""",
    ),
    (
        "pg_catalog",
        "pg_opfamily",
        2753,
        "r",
        """
oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid
""",
    ),
    (
        "pg_catalog",
        "pg_operator",
        2617,
        "r",
        """
oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash
bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest
regproc, oprjoin regproc
""",
    ),
    (
        "pg_catalog",
        "pg_cast",
        2605,
        "r",
        """
oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char
""",
    ),
    (
        "pg_catalog",
        "pg_aggregate",
        2600,
        "r",
        """
aggfnoid regproc, aggkind char, aggnumdirectargs int2, aggtransfn regproc, aggfinalfn regproc,
aggcombinefn regproc, aggserialfn regproc, aggdeserialfn regproc, aggmtransfn regproc,
aggminvtransfn regproc, aggmfinalfn regproc, aggfinalextra bool, aggmfinalextra bool, aggfinalmodify
char, aggmfinalmodify char, aggsortop oid, aggtranstype oid, aggtransspace int4, aggmtranstype oid,
aggmtransspace int4, agginitval text, aggminitval text
""",
    ),
    (
        "pg_catalog",
        "pg_event_trigger",
        3466,
        "r",
        """
oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags _text
""",
    ),
    (
        "pg_catalog",
        "pg_default_acl",
        826,
        "r",
        """
oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl _aclitem
""",
    ),
    (
        "pg_catalog",
        "pg_init_privs",
        3394,
        "r",
        """
objoid oid, classoid oid, objsubid int4, privtype char, initprivs _aclitem
""",
    ),
    (
        "pg_catalog",
        "pg_statio_user_tables",
        12179,
        "v",
        """
relid oid, schemaname name, relname name, heap_blks_read int8, heap_blks_hit int8, idx_blks_read
int8, idx_blks_hit int8, toast_blks_read int8, toast_blks_hit int8, tidx_blks_read int8,
tidx_blks_hit int8
""",
    ),
    (
        "pg_catalog",
        "pg_locks",
        12073,
        "v",
        """
locktype text, database oid, relation oid, page int4, tuple int2, virtualxid text, transactionid
xid, classid oid, objid oid, objsubid int2, virtualtransaction text, pid int4, mode text, granted
bool, fastpath bool, waitstart timestamptz
""",
    ),
    (
        "pg_catalog",
        "pg_timezone_names",
        12126,
        "v",
        """
name text, abbrev text, utc_offset interval, is_dst bool
""",
    ),
    (
        "pg_catalog",
        "pg_timezone_abbrevs",
        12122,
        "v",
        """
abbrev text, utc_offset interval, is_dst bool
""",
    ),
    (
        "pg_catalog",
        "pg_subscription",
        6100,
        "r",
        """
oid oid, subdbid oid, subskiplsn pg_lsn, subname name, subowner oid, subenabled bool, subbinary
bool, substream bool, subtwophasestate char, subdisableonerr bool, subpasswordrequired bool,
subrunasowner bool, subconninfo text, subslotname name, subsynccommit text, subpublications _text,
suborigin text
""",
    ),
    (
        "pg_catalog",
        "pg_stats",
        12053,
        "v",
        """
schemaname name, tablename name, attname name, inherited bool, null_frac float4, avg_width int4,
n_distinct float4, most_common_vals anyarray, most_common_freqs _float4, histogram_bounds anyarray,
correlation float4, most_common_elems anyarray, most_common_elem_freqs _float4, elem_count_histogram
_float4
""",
    ),
    (
        "pg_catalog",
        "pg_conversion",
        2607,
        "r",
        """
oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4,
conproc regproc, condefault bool
""",
    ),
    (
        "pg_catalog",
        "pg_transform",
        3576,
        "r",
        """
oid oid, trftype oid, trflang oid, trffromsql regproc, trftosql regproc
""",
    ),
    (
        "pg_catalog",
        "pg_ts_config",
        3602,
        "r",
        """
oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid
""",
    ),
    (
        "pg_catalog",
        "pg_largeobject_metadata",
        2995,
        "r",
        """
oid oid, lomowner oid, lomacl _aclitem
""",
    ),
    (
        "pg_catalog",
        "pg_seclabel",
        3596,
        "r",
        """
objoid oid, classoid oid, objsubid int4, provider text, label text
""",
    ),
    (
        "pg_catalog",
        "pg_shseclabel",
        3592,
        "r",
        """
objoid oid, classoid oid, provider text, label text
""",
    ),
    (
        "pg_catalog",
        "pg_policies",
        12018,
        "v",
        """
schemaname name, tablename name, policyname name, permissive text, roles _name, cmd text, qual text,
with_check text
""",
    ),
    (
        "pg_catalog",
        "pg_group",
        12010,
        "v",
        """
groname name, grosysid oid, grolist _oid
""",
    ),
    (
        "pg_catalog",
        "pg_shadow",
        12005,
        "v",
        """
usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, passwd
text, valuntil timestamptz, useconfig _text
""",
    ),
    (
        "pg_catalog",
        "pg_prepared_xacts",
        12090,
        "v",
        """
transaction xid, gid text, prepared timestamptz, owner name, database name
""",
    ),
    (
        "pg_catalog",
        "pg_prepared_statements",
        12095,
        "v",
        """
name text, statement text, prepare_time timestamptz, parameter_types _regtype, from_sql bool,
generic_plans int8, custom_plans int8
""",
    ),
    (
        "pg_catalog",
        "pg_cursors",
        12077,
        "v",
        """
name text, statement text, is_holdable bool, is_binary bool, is_scrollable bool, creation_time
timestamptz
""",
    ),
    (
        "pg_catalog",
        "pg_stat_user_indexes",
        12192,
        "v",
        """
relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan int8,
last_idx_scan timestamptz, idx_tup_read int8, idx_tup_fetch int8
""",
    ),
    (
        "pg_catalog",
        "pg_statio_user_indexes",
        12205,
        "v",
        """
relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_blks_read int8,
idx_blks_hit int8
""",
    ),
    (
        "pg_catalog",
        "pg_stat_all_indexes",
        12183,
        "v",
        """
relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan int8,
last_idx_scan timestamptz, idx_tup_read int8, idx_tup_fetch int8
""",
    ),
    (
        "pg_catalog",
        "pg_stat_replication",
        12227,
        "v",
        """
pid int4, usesysid oid, usename name, application_name text, client_addr inet, client_hostname text,
client_port int4, backend_start timestamptz, backend_xmin xid, state text, sent_lsn pg_lsn,
write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn, write_lag interval, flush_lag interval,
replay_lag interval, sync_priority int4, sync_state text, reply_time timestamptz
""",
    ),
    (
        "pg_catalog",
        "pg_replication_slots",
        12257,
        "v",
        """
slot_name name, plugin name, slot_type text, datoid oid, database name, temporary bool, active bool,
active_pid int4, xmin xid, catalog_xmin xid, restart_lsn pg_lsn, confirmed_flush_lsn pg_lsn,
wal_status text, safe_wal_size int8, two_phase bool
""",
    ),
    (
        "pg_catalog",
        "pg_stat_ssl",
        12249,
        "v",
        """
pid int4, ssl bool, version text, cipher text, bits int4, client_dn text, client_serial numeric,
issuer_dn text
""",
    ),
    (
        "pg_catalog",
        "pg_stat_gssapi",
        12253,
        "v",
        """
pid int4, gss_authenticated bool, principal text, encrypted bool
""",
    ),
    (
        "pg_catalog",
        "pg_file_settings",
        12110,
        "v",
        """
sourcefile text, sourceline int4, seqno int4, name text, setting text, applied bool, error text
""",
    ),
    (
        "pg_catalog",
        "pg_hba_file_rules",
        12114,
        "v",
        """
line_number int4, type text, database _text, user_name _text, address text, netmask text,
auth_method text, options _text, error text
""",
    ),
    (
        "pg_catalog",
        "pg_available_extension_versions",
        12085,
        "v",
        """
name name, version text, installed bool, superuser bool, trusted bool, relocatable bool, schema
name, requires _name, comment text
""",
    ),
    (
        "pg_catalog",
        "pg_ts_dict",
        3600,
        "r",
        """
oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text
""",
    ),
    (
        "pg_catalog",
        "pg_ts_parser",
        3601,
        "r",
        """
oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, prsend regproc,
prsheadline regproc, prslextype regproc
""",
    ),
    (
        "pg_catalog",
        "pg_ts_template",
        3764,
        "r",
        """
oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc
""",
    ),
    (
        "pg_catalog",
        "pg_amop",
        2602,
        "r",
        """
oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy int2, amoppurpose char,
amopopr oid, amopmethod oid, amopsortfamily oid
""",
    ),
    (
        "pg_catalog",
        "pg_amproc",
        2603,
        "r",
        """
oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum int2, amproc regproc
""",
    ),
    (
        "pg_catalog",
        "pg_db_role_setting",
        2964,
        "r",
        """
setdatabase oid, setrole oid, setconfig _text
""",
    ),
    (
        "pg_catalog",
        "pg_statistic_ext_data",
        3429,
        "r",
        """
stxoid oid, stxdinherit bool, stxdndistinct pg_ndistinct, stxddependencies pg_dependencies, stxdmcv
pg_mcv_list, stxdexpr _pg_statistic
""",
    ),
    (
        "pg_catalog",
        "pg_rules",
        12023,
        "v",
        """
schemaname name, tablename name, rulename name, definition text
""",
    ),
    (
        "pg_catalog",
        "pg_stat_sys_tables",
        12152,
        "v",
        """
relid oid, schemaname name, relname name, seq_scan int8, last_seq_scan timestamptz, seq_tup_read
int8, idx_scan int8, last_idx_scan timestamptz, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8,
n_tup_del int8, n_tup_hot_upd int8, n_tup_newpage_upd int8, n_live_tup int8, n_dead_tup int8,
n_mod_since_analyze int8, n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum
timestamptz, last_analyze timestamptz, last_autoanalyze timestamptz, vacuum_count int8,
autovacuum_count int8, analyze_count int8, autoanalyze_count int8
""",
    ),
    (
        "pg_catalog",
        "pg_stat_xact_user_tables",
        12166,
        "v",
        """
relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8,
idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8
""",
    ),
    (
        "pg_catalog",
        "pg_stat_bgwriter",
        12289,
        "v",
        """
checkpoints_timed int8, checkpoints_req int8, checkpoint_write_time float8, checkpoint_sync_time
float8, buffers_checkpoint int8, buffers_clean int8, maxwritten_clean int8, buffers_backend int8,
buffers_backend_fsync int8, buffers_alloc int8, stats_reset timestamptz
""",
    ),
    (
        "pg_catalog",
        "pg_stat_progress_vacuum",
        12302,
        "v",
        """
pid int4, datid oid, datname name, relid oid, phase text, heap_blks_total int8, heap_blks_scanned
int8, heap_blks_vacuumed int8, index_vacuum_count int8, max_dead_tuples int8, num_dead_tuples int8
""",
    ),
    (
        "information_schema",
        "referential_constraints",
        13339,
        "v",
        """
constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier,
unique_constraint_catalog sql_identifier, unique_constraint_schema sql_identifier,
unique_constraint_name sql_identifier, match_option character_data, update_rule character_data,
delete_rule character_data
""",
    ),
    (
        "information_schema",
        "check_constraints",
        13260,
        "v",
        """
constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier,
check_clause character_data
""",
    ),
    (
        "information_schema",
        "routines",
        13377,
        "v",
        """
specific_catalog sql_identifier, specific_schema sql_identifier, specific_name sql_identifier,
routine_catalog sql_identifier, routine_schema sql_identifier, routine_name sql_identifier,
routine_type character_data, module_catalog sql_identifier, module_schema sql_identifier,
module_name sql_identifier, udt_catalog sql_identifier, udt_schema sql_identifier, udt_name
sql_identifier, data_type character_data, character_maximum_length cardinal_number,
character_octet_length cardinal_number, character_set_catalog sql_identifier, character_set_schema
sql_identifier, character_set_name sql_identifier, collation_catalog sql_identifier,
collation_schema sql_identifier, collation_name sql_identifier, numeric_precision cardinal_number,
numeric_precision_radix cardinal_number, numeric_scale cardinal_number, datetime_precision
cardinal_number, interval_type character_data, interval_precision cardinal_number, type_udt_catalog
sql_identifier, type_udt_schema sql_identifier, type_udt_name sql_identifier, scope_catalog
sql_identifier, scope_schema sql_identifier, scope_name sql_identifier, maximum_cardinality
cardinal_number, dtd_identifier sql_identifier, routine_body character_data, routine_definition
character_data, external_name character_data, external_language character_data, parameter_style
character_data, is_deterministic yes_or_no, sql_data_access character_data, is_null_call yes_or_no,
sql_path character_data, schema_level_routine yes_or_no, max_dynamic_result_sets cardinal_number,
is_user_defined_cast yes_or_no, is_implicitly_invocable yes_or_no, security_type character_data,
to_sql_specific_catalog sql_identifier, to_sql_specific_schema sql_identifier, to_sql_specific_name
sql_identifier, as_locator yes_or_no, created time_stamp, last_altered time_stamp,
new_savepoint_level yes_or_no, is_udt_dependent yes_or_no, result_cast_from_data_type
character_data, result_cast_as_locator yes_or_no, result_cast_char_max_length cardinal_number,
result_cast_char_octet_length cardinal_number, result_cast_char_set_catalog sql_identifier,
result_cast_char_set_schema sql_identifier, result_cast_char_set_name sql_identifier,
result_cast_collation_catalog sql_identifier, result_cast_collation_schema sql_identifier,
result_cast_collation_name sql_identifier, result_cast_numeric_precision cardinal_number,
result_cast_numeric_precision_radix cardinal_number, result_cast_numeric_scale cardinal_number,
result_cast_datetime_precision cardinal_number, result_cast_interval_type character_data,
result_cast_interval_precision cardinal_number, result_cast_type_udt_catalog sql_identifier,
result_cast_type_udt_schema sql_identifier, result_cast_type_udt_name sql_identifier,
result_cast_scope_catalog sql_identifier, result_cast_scope_schema sql_identifier,
result_cast_scope_name sql_identifier, result_cast_maximum_cardinality cardinal_number,
result_cast_dtd_identifier sql_identifier
""",
    ),
    (
        "information_schema",
        "parameters",
        13334,
        "v",
        """
specific_catalog sql_identifier, specific_schema sql_identifier, specific_name sql_identifier,
ordinal_position cardinal_number, parameter_mode character_data, is_result yes_or_no, as_locator
yes_or_no, parameter_name sql_identifier, data_type character_data, character_maximum_length
cardinal_number, character_octet_length cardinal_number, character_set_catalog sql_identifier,
character_set_schema sql_identifier, character_set_name sql_identifier, collation_catalog
sql_identifier, collation_schema sql_identifier, collation_name sql_identifier, numeric_precision
cardinal_number, numeric_precision_radix cardinal_number, numeric_scale cardinal_number,
datetime_precision cardinal_number, interval_type character_data, interval_precision
cardinal_number, udt_catalog sql_identifier, udt_schema sql_identifier, udt_name sql_identifier,
scope_catalog sql_identifier, scope_schema sql_identifier, scope_name sql_identifier,
maximum_cardinality cardinal_number, dtd_identifier sql_identifier, parameter_default character_data
""",
    ),
    (
        "information_schema",
        "sequences",
        13386,
        "v",
        """
sequence_catalog sql_identifier, sequence_schema sql_identifier, sequence_name sql_identifier,
data_type character_data, numeric_precision cardinal_number, numeric_precision_radix
cardinal_number, numeric_scale cardinal_number, start_value character_data, minimum_value
character_data, maximum_value character_data, increment character_data, cycle_option yes_or_no
""",
    ),
    (
        "information_schema",
        "triggers",
        13440,
        "v",
        """
trigger_catalog sql_identifier, trigger_schema sql_identifier, trigger_name sql_identifier,
event_manipulation character_data, event_object_catalog sql_identifier, event_object_schema
sql_identifier, event_object_table sql_identifier, action_order cardinal_number, action_condition
character_data, action_statement character_data, action_orientation character_data, action_timing
character_data, action_reference_old_table sql_identifier, action_reference_new_table
sql_identifier, action_reference_old_row sql_identifier, action_reference_new_row sql_identifier,
created time_stamp
""",
    ),
    (
        "information_schema",
        "column_privileges",
        13285,
        "v",
        """
grantor sql_identifier, grantee sql_identifier, table_catalog sql_identifier, table_schema
sql_identifier, table_name sql_identifier, column_name sql_identifier, privilege_type
character_data, is_grantable yes_or_no
""",
    ),
    (
        "information_schema",
        "domains",
        13320,
        "v",
        """
domain_catalog sql_identifier, domain_schema sql_identifier, domain_name sql_identifier, data_type
character_data, character_maximum_length cardinal_number, character_octet_length cardinal_number,
character_set_catalog sql_identifier, character_set_schema sql_identifier, character_set_name
sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier, collation_name
sql_identifier, numeric_precision cardinal_number, numeric_precision_radix cardinal_number,
numeric_scale cardinal_number, datetime_precision cardinal_number, interval_type character_data,
interval_precision cardinal_number, domain_default character_data, udt_catalog sql_identifier,
udt_schema sql_identifier, udt_name sql_identifier, scope_catalog sql_identifier, scope_schema
sql_identifier, scope_name sql_identifier, maximum_cardinality cardinal_number, dtd_identifier
sql_identifier
""",
    ),
    (
        "information_schema",
        "applicable_roles",
        13236,
        "v",
        """
grantee sql_identifier, role_name sql_identifier, is_grantable yes_or_no
""",
    ),
    (
        "information_schema",
        "collations",
        13265,
        "v",
        """
collation_catalog sql_identifier, collation_schema sql_identifier, collation_name sql_identifier,
pad_attribute character_data
""",
    ),
    (
        "information_schema",
        "element_types",
        13493,
        "v",
        """
object_catalog sql_identifier, object_schema sql_identifier, object_name sql_identifier, object_type
character_data, collection_type_identifier sql_identifier, data_type character_data,
character_maximum_length cardinal_number, character_octet_length cardinal_number,
character_set_catalog sql_identifier, character_set_schema sql_identifier, character_set_name
sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier, collation_name
sql_identifier, numeric_precision cardinal_number, numeric_precision_radix cardinal_number,
numeric_scale cardinal_number, datetime_precision cardinal_number, interval_type character_data,
interval_precision cardinal_number, domain_default character_data, udt_catalog sql_identifier,
udt_schema sql_identifier, udt_name sql_identifier, scope_catalog sql_identifier, scope_schema
sql_identifier, scope_name sql_identifier, maximum_cardinality cardinal_number, dtd_identifier
sql_identifier
""",
    ),
    (
        "information_schema",
        "attributes",
        13245,
        "v",
        """
udt_catalog sql_identifier, udt_schema sql_identifier, udt_name sql_identifier, attribute_name
sql_identifier, ordinal_position cardinal_number, attribute_default character_data, is_nullable
yes_or_no, data_type character_data, character_maximum_length cardinal_number,
character_octet_length cardinal_number, character_set_catalog sql_identifier, character_set_schema
sql_identifier, character_set_name sql_identifier, collation_catalog sql_identifier,
collation_schema sql_identifier, collation_name sql_identifier, numeric_precision cardinal_number,
numeric_precision_radix cardinal_number, numeric_scale cardinal_number, datetime_precision
cardinal_number, interval_type character_data, interval_precision cardinal_number,
attribute_udt_catalog sql_identifier, attribute_udt_schema sql_identifier, attribute_udt_name
sql_identifier, scope_catalog sql_identifier, scope_schema sql_identifier, scope_name
sql_identifier, maximum_cardinality cardinal_number, dtd_identifier sql_identifier,
is_derived_reference_attribute yes_or_no
""",
    ),
    (
        "information_schema",
        "user_defined_types",
        13463,
        "v",
        """
user_defined_type_catalog sql_identifier, user_defined_type_schema sql_identifier,
user_defined_type_name sql_identifier, user_defined_type_category character_data, is_instantiable
yes_or_no, is_final yes_or_no, ordering_form character_data, ordering_category character_data,
ordering_routine_catalog sql_identifier, ordering_routine_schema sql_identifier,
ordering_routine_name sql_identifier, reference_type character_data, data_type character_data,
character_maximum_length cardinal_number, character_octet_length cardinal_number,
character_set_catalog sql_identifier, character_set_schema sql_identifier, character_set_name
sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier, collation_name
sql_identifier, numeric_precision cardinal_number, numeric_precision_radix cardinal_number,
numeric_scale cardinal_number, datetime_precision cardinal_number, interval_type character_data,
interval_precision cardinal_number, source_dtd_identifier sql_identifier, ref_dtd_identifier
sql_identifier
""",
    ),
    (
        "information_schema",
        "view_table_usage",
        13478,
        "v",
        """
view_catalog sql_identifier, view_schema sql_identifier, view_name sql_identifier, table_catalog
sql_identifier, table_schema sql_identifier, table_name sql_identifier
""",
    ),
    (
        "information_schema",
        "view_column_usage",
        13468,
        "v",
        """
view_catalog sql_identifier, view_schema sql_identifier, view_name sql_identifier, table_catalog
sql_identifier, table_schema sql_identifier, table_name sql_identifier, column_name sql_identifier
""",
    ),
    (
        "information_schema",
        "column_udt_usage",
        13290,
        "v",
        """
udt_catalog sql_identifier, udt_schema sql_identifier, udt_name sql_identifier, table_catalog
sql_identifier, table_schema sql_identifier, table_name sql_identifier, column_name sql_identifier
""",
    ),
    (
        "information_schema",
        "usage_privileges",
        13454,
        "v",
        """
grantor sql_identifier, grantee sql_identifier, object_catalog sql_identifier, object_schema
sql_identifier, object_name sql_identifier, object_type character_data, privilege_type
character_data, is_grantable yes_or_no
""",
    ),
    (
        "information_schema",
        "role_column_grants",
        13344,
        "v",
        """
grantor sql_identifier, grantee sql_identifier, table_catalog sql_identifier, table_schema
sql_identifier, table_name sql_identifier, column_name sql_identifier, privilege_type
character_data, is_grantable yes_or_no
""",
    ),
    (
        "information_schema",
        "routine_privileges",
        13353,
        "v",
        """
grantor sql_identifier, grantee sql_identifier, specific_catalog sql_identifier, specific_schema
sql_identifier, specific_name sql_identifier, routine_catalog sql_identifier, routine_schema
sql_identifier, routine_name sql_identifier, privilege_type character_data, is_grantable yes_or_no
""",
    ),
    (
        "information_schema",
        "domain_constraints",
        13310,
        "v",
        """
constraint_catalog sql_identifier, constraint_schema sql_identifier, constraint_name sql_identifier,
domain_catalog sql_identifier, domain_schema sql_identifier, domain_name sql_identifier,
is_deferrable yes_or_no, initially_deferred yes_or_no
""",
    ),
    (
        "information_schema",
        "column_domain_usage",
        13280,
        "v",
        """
domain_catalog sql_identifier, domain_schema sql_identifier, domain_name sql_identifier,
table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier, column_name
sql_identifier
""",
    ),
    (
        "information_schema",
        "foreign_tables",
        13541,
        "v",
        """
foreign_table_catalog sql_identifier, foreign_table_schema sql_identifier, foreign_table_name
sql_identifier, foreign_server_catalog sql_identifier, foreign_server_name sql_identifier
""",
    ),
    (
        "information_schema",
        "foreign_servers",
        13528,
        "v",
        """
foreign_server_catalog sql_identifier, foreign_server_name sql_identifier,
foreign_data_wrapper_catalog sql_identifier, foreign_data_wrapper_name sql_identifier,
foreign_server_type character_data, foreign_server_version character_data, authorization_identifier
sql_identifier
""",
    ),
    (
        "information_schema",
        "foreign_data_wrappers",
        13515,
        "v",
        """
foreign_data_wrapper_catalog sql_identifier, foreign_data_wrapper_name sql_identifier,
authorization_identifier sql_identifier, library_name character_data, foreign_data_wrapper_language
character_data
""",
    ),
)

PROVIDERS: tuple[Provider, ...] = tuple(
    table(name, spec, oid=oid, schema=schema, kind=kind) for schema, name, oid, kind, spec in EMPTY_TABLES
)

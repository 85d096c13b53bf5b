{#- Run-operation `segwh.purge_erased_raw_rows`: deletes from every raw table each row that
    carries an identifier of an erased person (its salted hash is in privacy.erasure_log), and
    records how many per table in privacy.erasure_purges (counts only). Nothing to do before the
    first erasure. `segwh build` runs it right after loading the raw files. When the erasure log
    has not grown since a table was last checked (privacy.erasure_purge_checks), only the rows
    loaded since then are checked: a daily run does not hash every raw row again. Called by
    apply_erasures with `plain_keys` (segwh.create_erased_node_keys), a table cleared of every
    older entry is cleared of the new ones by their plain node keys (segwh.plain_keys_for);
    `covered` caches the checks of that. -#}
{% macro purge_erased_raw_rows(plain_keys=none, covered=none) %}
    {%- set erasure_log = segwh.existing_relation('privacy', 'erasure_log') -%}
    {%- if erasure_log is none -%}
        {{ log('erasure: no erasure log yet, nothing to purge', info=true) }}
        {{ return(0) }}
    {%- endif -%}
    {%- set purge_table = segwh.ensure_erasure_purges_table() -%}
    {%- set checks = segwh.ensure_erasure_purge_checks_table() -%}
    {%- set entries = run_query('select count(*) from ' ~ erasure_log).columns[0].values()[0] | int -%}
    {%- set total = namespace(rows=0) -%}
    {%- set covered = {} if covered is none else covered -%}
    {%- for table_name, node_key_sqls in segwh.raw_identifier_columns().items() -%}
        {%- set relation = segwh.existing_relation('raw', table_name) -%}
        {%- if relation is not none -%}
            {%- set loaded = run_query('select max(raw_loaded_at) from ' ~ relation).columns[0].values()[0] -%}
            {%- set last_check = segwh.last_purge_check(checks, table_name) -%}
            {%- set row_filter = none -%}
            {%- if last_check.rows | length > 0 and (last_check.columns[0].values()[0] | int) == entries
                and last_check.columns[1].values()[0] is not none -%}
                {%- set row_filter = "raw_loaded_at > cast('" ~ last_check.columns[1].values()[0] ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
            {%- endif -%}
            {%- set table_plain_keys = none if row_filter else segwh.plain_keys_for(erasure_log, plain_keys, last_check, loaded, covered) -%}
            {%- set purged = segwh.delete_matching_rows(relation, node_key_sqls, erasure_log, row_filter, table_plain_keys) -%}
            {%- if purged > 0 -%}
                {%- do run_query(
                    "insert into " ~ purge_table ~ " values ('" ~ table_name ~ "', " ~ purged ~ ", "
                    ~ "cast('" ~ loaded ~ "' as " ~ dbt.type_timestamp() ~ "), "
                    ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ "))"
                ) -%}
            {%- endif -%}
            {%- do segwh.record_purge_check(checks, table_name, entries, loaded) -%}
            {%- do segwh.commit_changes() -%}
            {%- set total.rows = total.rows + purged -%}
            {{ log('erasure: purged ' ~ purged ~ ' rows of raw.' ~ table_name ~ (
                ' (rows loaded since the last check)' if row_filter else ' (by the plain keys of the new entries)' if table_plain_keys else ''
            ), info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(total.rows) }}
{% endmacro %}

{#- Returns privacy.erasure_purge_checks (table_name, erasure_entries, loaded_through,
    checked_at), created when missing: each raw table's purge check, with the size of the erasure
    log then and the newest load it covered (no identifiers). -#}
{% macro ensure_erasure_purge_checks_table() %}
    {{ return(segwh.ensure_table('privacy', 'erasure_purge_checks', [
        ('table_name', dbt.type_string()), ('erasure_entries', dbt.type_bigint()),
        ('loaded_through', dbt.type_timestamp()), ('checked_at', dbt.type_timestamp()),
    ])) }}
{% endmacro %}

{#- The last check of `table_name` in `checks` (privacy.erasure_purge_checks): a run_query result
    of erasure_entries and loaded_through, with no row when the table was never checked. -#}
{% macro last_purge_check(checks, table_name) %}
    {{ return(run_query(
        "select erasure_entries, loaded_through from " ~ checks ~ " where table_name = '" ~ table_name
        ~ "' order by checked_at desc limit 1"
    )) }}
{% endmacro %}

{#- Records in `checks` that `table_name` is clear of the log's first `entries` entries and, with
    `loaded` (a raw table's newest raw_loaded_at; none for a model), of every row loaded so far. -#}
{% macro record_purge_check(checks, table_name, entries, loaded) %}
    {%- do run_query(
        "insert into " ~ checks ~ " values ('" ~ table_name ~ "', " ~ entries ~ ", "
        ~ ("null" if loaded is none else "cast('" ~ loaded ~ "' as " ~ dbt.type_timestamp() ~ ")") ~ ", "
        ~ "cast('" ~ modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as " ~ dbt.type_timestamp() ~ "))"
    ) -%}
{% endmacro %}

{#- Run-operation `segwh.apply_erasures`: purges the raw tables (above) and deletes the erased
    people's rows from every model that keeps rows across builds (incremental models and logs),
    which declare how in `meta: {erase_by: {column: identity node type}}`. Tables rebuilt from raw
    lose the people on the next build. Run after a build that logged new erasures; `segwh build`
    does this before its main `dbt build`, so one build leaves no trace. Each table cleared of
    every older entry is cleared of the new ones by their plain node keys, still in the identity
    tables (segwh.create_erased_node_keys), instead of hashing all its identifiers; the models'
    checks are recorded in privacy.erasure_purge_checks like the raw tables' (as schema.name). -#}
{% macro apply_erasures() %}
    {%- set erasure_log = segwh.existing_relation('privacy', 'erasure_log') -%}
    {%- set plain_keys = none if erasure_log is none else segwh.create_erased_node_keys(erasure_log) -%}
    {%- set covered = {} -%}
    {%- set purged = segwh.purge_erased_raw_rows(plain_keys, covered) -%}
    {%- if erasure_log is none -%}
        {{ return(purged) }}
    {%- endif -%}
    {%- set checks = segwh.ensure_erasure_purge_checks_table() -%}
    {%- set entries = run_query('select count(*) from ' ~ erasure_log).columns[0].values()[0] | int -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.meta.get('erase_by') -%}
        {%- set relation = segwh.existing_relation(node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- set node_key_sqls = [] -%}
            {%- for column, node_type in node.config.meta['erase_by'].items() -%}
                {%- do node_key_sqls.append("'" ~ node_type ~ ":' || " ~ column) -%}
            {%- endfor -%}
            {%- set check_name = node.schema ~ '.' ~ node.alias -%}
            {%- set last_check = segwh.last_purge_check(checks, check_name) -%}
            {%- set model_plain_keys = segwh.plain_keys_for(erasure_log, plain_keys, last_check, none, covered) -%}
            {%- set forgotten = segwh.delete_matching_rows(relation, node_key_sqls, erasure_log, none, model_plain_keys) -%}
            {%- do segwh.record_purge_check(checks, check_name, entries, none) -%}
            {%- do segwh.commit_changes() -%}
            {{ log('erasure: deleted ' ~ forgotten ~ ' rows of ' ~ relation ~ (' (by the plain keys of the new entries)' if model_plain_keys else ''), info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if plain_keys is not none -%}
        {%- do run_query('drop table if exists ' ~ plain_keys) -%}
    {%- endif -%}
    {{ return(purged) }}
{% endmacro %}

{#- Returns privacy.erasure_purges (table_name, purged_rows, raw_loaded_at, purged_at), created
    when missing: how many raw rows each purge removed from a load (no identifiers). -#}
{% macro ensure_erasure_purges_table() %}
    {{ return(segwh.ensure_table('privacy', 'erasure_purges', [
        ('table_name', dbt.type_string()), ('purged_rows', dbt.type_bigint()),
        ('raw_loaded_at', dbt.type_timestamp()), ('purged_at', dbt.type_timestamp()),
    ])) }}
{% endmacro %}

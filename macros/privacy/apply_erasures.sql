{#- Run-operation `segwh.purge_erased_raw_rows`: deletes from every raw table each row that
    carries an identifier of an erased person (its salted hash is in privacy.erasure_log), and
    records how many per table in privacy.erasure_purges (counts only). Nothing to do before the
    first erasure. `segwh build` runs it right after loading the raw files. -#}
{% macro purge_erased_raw_rows() %}
    {%- set erasure_log = segwh.existing_relation('privacy', 'erasure_log') -%}
    {%- if erasure_log is none -%}
        {{ log('erasure: no erasure log yet, nothing to purge', info=true) }}
        {{ return(0) }}
    {%- endif -%}
    {%- set purge_table = segwh.ensure_erasure_purges_table() -%}
    {%- set total = namespace(rows=0) -%}
    {%- for table_name, node_key_sqls in segwh.raw_identifier_columns().items() -%}
        {%- set relation = segwh.existing_relation('raw', table_name) -%}
        {%- if relation is not none -%}
            {%- set loaded = run_query('select max(raw_loaded_at) from ' ~ relation).columns[0].values()[0] -%}
            {%- set purged = segwh.delete_matching_rows(relation, node_key_sqls, erasure_log) -%}
            {%- if purged > 0 -%}
                {%- do run_query(
                    "insert into " ~ purge_table ~ " values ('" ~ table_name ~ "', " ~ purged ~ ", "
                    ~ "cast('" ~ loaded ~ "' as " ~ dbt.type_timestamp() ~ "), "
                    ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ "))"
                ) -%}
                {%- do segwh.commit_changes() -%}
            {%- endif -%}
            {%- set total.rows = total.rows + purged -%}
            {{ log('erasure: purged ' ~ purged ~ ' rows of raw.' ~ table_name, info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(total.rows) }}
{% endmacro %}

{#- Run-operation `segwh.apply_erasures`: purges the raw tables (above) and deletes the erased
    people's rows from every model that keeps rows across builds (incremental models and logs),
    which declare how in `meta: {erase_by: {column: identity node type}}`. Tables rebuilt from raw
    lose the people on the next build. Run after a build that logged new erasures; `segwh build`
    does this before its main `dbt build`, so one build leaves no trace. -#}
{% macro apply_erasures() %}
    {%- set purged = segwh.purge_erased_raw_rows() -%}
    {%- set erasure_log = segwh.existing_relation('privacy', 'erasure_log') -%}
    {%- if erasure_log is none -%}
        {{ return(purged) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.meta.get('erase_by') -%}
        {%- set relation = segwh.existing_relation(node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- set node_key_sqls = [] -%}
            {%- for column, node_type in node.config.meta['erase_by'].items() -%}
                {%- do node_key_sqls.append("'" ~ node_type ~ ":' || " ~ column) -%}
            {%- endfor -%}
            {%- set forgotten = segwh.delete_matching_rows(relation, node_key_sqls, erasure_log) -%}
            {{ log('erasure: deleted ' ~ forgotten ~ ' rows of ' ~ relation, info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(purged) }}
{% endmacro %}

{#- Returns privacy.erasure_purges (table_name, purged_rows, raw_loaded_at, purged_at), created
    when missing: how many raw rows each purge removed from a load (no identifiers). -#}
{% macro ensure_erasure_purges_table() %}
    {%- set existing = segwh.existing_relation('privacy', 'erasure_purges') -%}
    {%- if existing is not none -%}
        {{ return(existing) }}
    {%- endif -%}
    {%- set relation = api.Relation.create(
        database=segwh.target_database(), schema='privacy', identifier='erasure_purges', type='table'
    ) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do run_query(
        'create table ' ~ relation ~ ' (table_name ' ~ dbt.type_string() ~ ', purged_rows ' ~ dbt.type_bigint()
        ~ ', raw_loaded_at ' ~ dbt.type_timestamp() ~ ', purged_at ' ~ dbt.type_timestamp() ~ ')'
        ~ (' using parquet' if target.type == 'spark' else '')
    ) -%}
    {%- do segwh.commit_changes() -%}
    {{ return(relation) }}
{% endmacro %}

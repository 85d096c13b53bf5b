{#- Deleting newly erased people by their plain node keys. When the erasure log has just grown, its
    new entries name people who are still in the identity tables (the log was built from them), so
    their node keys are known in plain there for the moment. Comparing each stored row's
    identifiers with that small set is cheaper than hashing every distinct identifier of the table
    and comparing the hashes with the whole log (raw web events at 1M customers: 2.2 s against 6 to
    7 s). It is used for a table only when it is exact: the table was already cleared of every
    older entry (its last check in privacy.erasure_purge_checks covered them and, for a raw table,
    every row loaded so far) and every entry newer than that check is the hash of a key in the set
    (no collisions in SHA-256). Otherwise the table is cleared by hashes as before. -#}

{#- Creates the session's temporary table of plain node keys (node_key) of the people whose
    customer_key the erasure log holds and who are still in int_identity__node_keys, with their
    order ids and the identifiers the pending requests name; returns it, or none (Spark, no
    identity tables yet). It lives only as long as the run-operation's connection. -#}
{% macro create_erased_node_keys(erasure_log) %}
    {{ return(adapter.dispatch('create_erased_node_keys', 'segwh')(erasure_log)) }}
{% endmacro %}

{% macro default__create_erased_node_keys(erasure_log) %}
    {%- set node_keys = segwh.existing_relation('intermediate', 'int_identity__node_keys') -%}
    {%- set record_keys = segwh.existing_relation('intermediate', 'int_identity__record_keys') -%}
    {%- set requests = segwh.existing_relation('raw', 'erasure_requests') -%}
    {%- if node_keys is none or record_keys is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set plain_keys = api.Relation.create(identifier='segwh_erased_node_keys', type='table') -%}
    {%- do run_query('drop table if exists ' ~ plain_keys) -%}
    {%- do run_query(
        'create temporary table ' ~ plain_keys ~ ' as '
        ~ segwh.erased_node_keys_sql(erasure_log, node_keys, record_keys, requests)
    ) -%}
    {{ return(plain_keys) }}
{% endmacro %}

{% macro spark__create_erased_node_keys(erasure_log) %}
    {{ return(none) }}
{% endmacro %}

{#- The select of create_erased_node_keys. -#}
{% macro erased_node_keys_sql(erasure_log, node_keys, record_keys, requests) -%}
    with

    logged_people as (

        select people.customer_key
        from (select distinct customer_key from {{ node_keys }}) as people
        where {{ segwh.erasure_hash("'customer_key:' || people.customer_key") }} in (
            select identifier_hash from {{ erasure_log }} where identifier_type = 'customer_key'
        )

    ),

    people_keys as (

        select node_keys.node_key
        from {{ node_keys }} as node_keys
        inner join logged_people
            on node_keys.customer_key = logged_people.customer_key
        union all
        select 'customer_key:' || customer_key as node_key
        from logged_people
        union all
        select 'order_id:' || record_keys.record_key as node_key
        from {{ record_keys }} as record_keys
        inner join logged_people
            on record_keys.customer_key = logged_people.customer_key
        where record_keys.source_table = 'orders'
        {%- if requests is not none %}
        {%- for request_key in segwh.raw_identifier_columns()['erasure_requests'] %}
        union all
        select {{ request_key }} as node_key
        from {{ requests }}
        {%- endfor %}
        {%- endif %}

    )

    select distinct node_key
    from people_keys
    where node_key is not null
{%- endmacro %}

{#- The logged_at (text) of the logging run after which the erasure log held exactly `applied`
    entries; '' when `applied` is 0; none when no logging run ends at that count. -#}
{% macro erasure_log_time_at(erasure_log, applied) %}
    {%- if applied == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set runs = run_query('select logged_at, count(*) from ' ~ erasure_log ~ ' group by logged_at order by logged_at') -%}
    {%- set seen = namespace(entries=0) -%}
    {%- for row in runs.rows -%}
        {%- set seen.entries = seen.entries + (row[1] | int) -%}
        {%- if seen.entries == applied and row[0] is not none -%}
            {{ return(row[0] | string) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{#- True when every entry of the erasure log logged after `logged_after` (a logged_at text, ''
    for all entries) is the hash of a key in `plain_keys`. -#}
{% macro plain_keys_cover(erasure_log, plain_keys, logged_after) %}
    {%- set query -%}
        select count(*)
        from {{ erasure_log }} as log_entries
        left join (
            select distinct {{ segwh.erasure_hash('node_key') }} as identifier_hash
            from {{ plain_keys }}
        ) as plain_hashes
            on log_entries.identifier_hash = plain_hashes.identifier_hash
        where
            plain_hashes.identifier_hash is null
            {%- if logged_after %}
            and log_entries.logged_at > cast('{{ logged_after }}' as {{ dbt.type_timestamp() }})
            {%- endif %}
    {%- endset -%}
    {{ return((run_query(query).columns[0].values()[0] | int) == 0) }}
{% endmacro %}

{#- The plain keys relation to clear `table_name` with, or none to clear it by hashes: `plain_keys`
    when the table's last check (`last_check`: a run_query result of erasure_entries and
    loaded_through, possibly empty) covered every entry older than the ones the plain keys cover
    and, with `loaded` (the table's newest raw_loaded_at; none for a model), every row loaded so
    far. `covered` (a dict) caches plain_keys_cover per log time. -#}
{% macro plain_keys_for(erasure_log, plain_keys, last_check, loaded, covered) %}
    {%- if plain_keys is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set applied = 0 -%}
    {%- if last_check.rows | length > 0 -%}
        {%- set applied = last_check.columns[0].values()[0] | int -%}
        {%- set loaded_through = last_check.columns[1].values()[0] -%}
        {%- if loaded is not none and applied > 0 and (loaded_through is none or loaded_through < loaded) -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {%- set logged_after = segwh.erasure_log_time_at(erasure_log, applied) -%}
    {%- if logged_after is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if logged_after not in covered -%}
        {%- do covered.update({logged_after: segwh.plain_keys_cover(erasure_log, plain_keys, logged_after)}) -%}
    {%- endif -%}
    {{ return(plain_keys if covered[logged_after] else none) }}
{% endmacro %}

{#- Deletes from `relation` every row for which one of `node_key_sqls` (SQL expressions giving
    identity node keys such as 'email:...') hashes to an identifier_hash of `hashes_relation`.
    Returns the number of rows deleted. DuckDB and PostgreSQL delete in place; Spark (Parquet
    tables cannot delete rows) rewrites the table without them, only when there is a match.
    `row_filter`, a condition, limits the rows checked (rows outside it are known not to match).
    With `plain_keys` (a relation of node_key, segwh.create_erased_node_keys; DuckDB and
    PostgreSQL) the rows whose node keys are in it are deleted instead, nothing hashed. -#}
{% macro delete_matching_rows(relation, node_key_sqls, hashes_relation, row_filter=none, plain_keys=none) %}
    {%- if plain_keys is not none -%}
        {{ return(segwh.delete_rows_with_plain_keys(relation, node_key_sqls, plain_keys)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('delete_matching_rows', 'segwh')(relation, node_key_sqls, hashes_relation, row_filter)) }}
{% endmacro %}

{#- Deletes from `relation` every row one of whose `node_key_sqls` is a node_key of `plain_keys`;
    returns the number deleted (DuckDB and PostgreSQL). -#}
{% macro delete_rows_with_plain_keys(relation, node_key_sqls, plain_keys) %}
    {%- set conditions = [] -%}
    {%- for node_key_sql in node_key_sqls -%}
        {%- do conditions.append(node_key_sql ~ ' in (select node_key from ' ~ plain_keys ~ ')') -%}
    {%- endfor -%}
    {{ return(segwh.delete_and_count(relation, conditions | join(' or '))) }}
{% endmacro %}

{#- Deletes the rows of `relation` that meet `condition` and commits; returns how many went (the
    table's row count before minus after: counting the matches first would evaluate the condition
    twice). DuckDB and PostgreSQL. -#}
{% macro delete_and_count(relation, condition) %}
    {%- set count_sql = 'select count(*) from ' ~ relation -%}
    {%- set rows_before = run_query(count_sql).columns[0].values()[0] | int -%}
    {%- do run_query('delete from ' ~ relation ~ ' where ' ~ condition) -%}
    {%- do segwh.commit_changes() -%}
    {{ return(rows_before - (run_query(count_sql).columns[0].values()[0] | int)) }}
{% endmacro %}

{#- SQL giving the rows of `relation` that match no hash (shared by the count and the rewrite). -#}
{% macro _rows_matching_sql(relation, node_key_sqls, hashes_relation, keep, row_filter=none) -%}
    select {{ relation.identifier }}_rows.*
    from {{ relation }} as {{ relation.identifier }}_rows
    {% for node_key_sql in node_key_sqls -%}
    left join (select distinct identifier_hash from {{ hashes_relation }}) as erased_{{ loop.index }}
        on {{ segwh.erasure_hash(node_key_sql) }} = erased_{{ loop.index }}.identifier_hash
    {% endfor -%}
    where {% if row_filter %}{{ row_filter }} and {% endif %}({% for node_key_sql in node_key_sqls -%}
        erased_{{ loop.index }}.identifier_hash is {{ 'null' if keep else 'not null' }}
        {%- if not loop.last %} {{ 'and' if keep else 'or' }} {% endif %}
    {%- endfor %})
{%- endmacro %}

{#- One pass: each distinct node key of the rows checked is hashed once (an identifier recurs on
    many event rows; hashing every row cost 2.5 times as much). -#}
{% macro default__delete_matching_rows(relation, node_key_sqls, hashes_relation, row_filter=none) %}
    {%- set condition -%}
        {% for node_key_sql in node_key_sqls -%}
        {{ node_key_sql }} in (
            select distinct_keys.node_key
            from (
                select distinct {{ node_key_sql }} as node_key
                from {{ relation }}
                {%- if row_filter %}
                where {{ row_filter }}
                {%- endif %}
            ) as distinct_keys
            where {{ segwh.erasure_hash('distinct_keys.node_key') }} in (select identifier_hash from {{ hashes_relation }})
        )
        {%- if not loop.last %} or {% endif %}
        {% endfor %}
    {%- endset -%}
    {{ return(segwh.delete_and_count(relation, (row_filter ~ ' and (' if row_filter else '(') ~ condition ~ ')')) }}
{% endmacro %}

{% macro spark__delete_matching_rows(relation, node_key_sqls, hashes_relation, row_filter=none) %}
    {%- set matches = run_query('select count(*) from (' ~ segwh._rows_matching_sql(relation, node_key_sqls, hashes_relation, false, row_filter) ~ ') as matching') -%}
    {%- set count = matches.columns[0].values()[0] | int -%}
    {%- if count > 0 -%}
        {%- set kept = relation.incorporate(path={'identifier': relation.identifier ~ '__kept_after_erasure'}) -%}
        {%- do run_query('drop table if exists ' ~ kept) -%}
        {%- do run_query('create table ' ~ kept ~ ' using parquet as ' ~ segwh._rows_matching_sql(relation, node_key_sqls, hashes_relation, true)) -%}
        {%- do run_query('set spark.sql.sources.partitionOverwriteMode = STATIC') -%}
        {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ kept) -%}
        {%- do run_query('drop table ' ~ kept) -%}
    {%- endif -%}
    {{ return(count) }}
{% endmacro %}

{#- Returns the table `schema`.`identifier` of the target, creating it (and its schema) when
    missing with `columns`, a list of (name, SQL type) pairs; Parquet on Spark. For the
    bookkeeping tables written outside dbt's models (run log, erasure purge records). `commit`
    false leaves the creation to the surrounding transaction (a model's hooks). -#}
{% macro ensure_table(schema, identifier, columns, commit=true) %}
    {%- set existing = segwh.existing_relation(schema, identifier) -%}
    {%- if existing is not none -%}
        {{ return(existing) }}
    {%- endif -%}
    {%- set relation = api.Relation.create(
        database=segwh.target_database(), schema=schema, identifier=identifier, type='table'
    ) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set column_sql = [] -%}
    {%- for name, sql_type in columns -%}
        {%- do column_sql.append(name ~ ' ' ~ sql_type) -%}
    {%- endfor -%}
    {#- if not exists: dbt's relation cache does not see a table created earlier in the same run -#}
    {%- do run_query(
        'create table if not exists ' ~ relation ~ ' (' ~ column_sql | join(', ') ~ ')'
        ~ (' using parquet' if target.type == 'spark' else '')
    ) -%}
    {%- if commit -%}
        {%- do segwh.commit_changes() -%}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}

{#- Commits what a run-operation changed: dbt does not commit run-operations. DuckDB has an open
    dbt transaction; PostgreSQL an implicit one on the connection; Spark has none. -#}
{% macro commit_changes() %}
    {{ return(adapter.dispatch('commit_changes', 'segwh')()) }}
{% endmacro %}

{% macro default__commit_changes() %}
    {%- do adapter.commit() -%}
{% endmacro %}

{% macro postgres__commit_changes() %}
    {%- do run_query('commit') -%}
{% endmacro %}

{% macro spark__commit_changes() %}
{% endmacro %}

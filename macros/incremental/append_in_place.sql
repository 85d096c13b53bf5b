{#- DuckDB's incremental materialization: dbt-duckdb's, except for an incremental run of a model
    that appends (segwh.appends_in_place), which inserts the model's rows straight into its table,
    in the transaction of its hooks, instead of writing them to a temporary table first and
    copying them from it. The columns inserted are the table's, taken by name from the model's
    rows, as dbt-duckdb's append does. At 1M customers, the daily run of base_web__events (729 k
    rows recomputed, another job on the other core): 5.97-6.52 s through the temporary table,
    5.14-5.38 s straight. -#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- if not segwh.appends_in_place(existing_relation) -%}
        {{ return(dbt.materialization_incremental_duckdb()) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- set columns = adapter.get_columns_in_relation(target_relation) | map(attribute='quoted') | join(', ') -%}
    {%- call statement('main') %}
        insert into {{ target_relation }} ({{ columns }})
        select {{ columns }}
        from (
            {{ compiled_code }}
        ) as model_rows
    {%- endcall %}
    {%- do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, false)) -%}
    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do adapter.commit() -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- True when the running model's incremental run appends in place: a SQL model with
    incremental_strategy 'append' and on_schema_change 'ignore' (the default) whose table exists,
    and no full refresh. -#}
{% macro appends_in_place(existing_relation) %}
    {{ return(
        model['language'] == 'sql'
        and existing_relation is not none
        and existing_relation.is_table
        and not should_full_refresh()
        and config.get('incremental_strategy') == 'append'
        and incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') == 'ignore'
    ) }}
{% endmacro %}

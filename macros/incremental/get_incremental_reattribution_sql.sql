{#- The incremental strategy 'reattribution' of the attributed event models on DuckDB and
    PostgreSQL (segwh.attribution_config). Their pre-hook already deleted the rows from the
    window's start on, so the only stored rows the run replaces are the events it attributed again
    (segwh.reattributed_events, all dated before the start): those keys are deleted, then every new
    row is appended. dbt's delete+insert would probe the stored keys against every new row; no
    stored row dated before the start shares a key with a new row dated from it on (a key's
    versions are recomputed together: segwh.base_event_window), so the result is the same. With
    nothing attributed again (no node keys snapshot yet, everything recomputed) it only appends. -#}
{% macro get_incremental_reattribution_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = ([unique_key] if unique_key is string else unique_key) | join(', ') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set window = segwh.attribution_window_of_run(target) -%}
    {%- if window and window.identity %}
    delete from {{ target }}
    where ({{ keys }}) in (
        select {{ keys }}
        from {{ source }}
        where event_date < cast('{{ window.start }}' as date)
    );
    {% endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}

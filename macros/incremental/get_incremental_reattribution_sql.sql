{#- The incremental strategy 'reattribution' of the attributed event models on DuckDB and
    PostgreSQL (segwh.attribution_config). Their pre-hook already deleted the rows from the
    window's start on, so the only stored rows the run replaces are the events it attributed again
    (segwh.reattributed_events, all dated before the start): those rows are deleted, then every new
    row is appended. dbt's delete+insert would probe the stored keys against every new row; no
    stored row dated before the start shares a key with a new row dated from it on (a key's
    versions are recomputed together: segwh.base_event_window), so the result is the same.
    The rows are deleted by their key when it is one column, and otherwise by the conditions
    that selected them (segwh.reattribution_conditions; the run's node changes are still there):
    at 1M customers, for the 13 k email events of a daily run with their four-column key, 0.9 s by
    key and 0.3 s by condition; for the 30 k web events with their one-column key, 0.4 s by key
    and 0.8 s by condition. With nothing attributed again (no node keys snapshot yet, everything
    recomputed) it only appends. -#}
{% macro get_incremental_reattribution_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set key_columns = [unique_key] if unique_key is string else unique_key -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set window = segwh.attribution_window_of_run(target) -%}
    {%- if window and window.identity %}
    delete from {{ target }}
    {%- if key_columns | length == 1 %}
    where ({{ keys }}) in (
        select {{ keys }}
        from {{ source }}
        where event_date < cast('{{ window.start }}' as date)
    );
    {%- else %}
    where
        event_date < cast('{{ window.start }}' as date)
        and (
            {%- for condition in segwh.reattribution_conditions(
                target, segwh.attribution_identity_columns(target), window,
                segwh.attribution_anonymous_column(target)
            ) %}
            {% if not loop.first %}or {% endif %}({{ condition }})
            {%- endfor %}
        );
    {%- endif %}
    {% endif %}
    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}

{#- Pre-hook of an incremental model: removes the rows whose `date_column` is `window_start` (an
    ISO date) or later, so the model can append them again (a delete+insert by date range).
    DuckDB and PostgreSQL delete inside the model's transaction; Spark drops the Parquet
    partitions of `partition_column` (default: `date_column`) whose value is `window_start` or
    later. Does nothing on a full build (window_start none). -#}
{% macro clear_incremental_window(relation, window_start, date_column='event_date', partition_column=none) %}
    {%- if window_start is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('clear_incremental_window', 'segwh')(
        relation, window_start, date_column, partition_column or date_column
    )) }}
{% endmacro %}

{% macro default__clear_incremental_window(relation, window_start, date_column, partition_column) -%}
    delete from {{ relation }} where {{ date_column }} >= cast('{{ window_start }}' as date)
{%- endmacro %}

{% macro spark__clear_incremental_window(relation, window_start, date_column, partition_column) -%}
    {%- set partitions = run_query('show partitions ' ~ relation) -%}
    {%- for row in partitions -%}
        {%- set partition_date = row[0].split('=')[1] -%}
        {%- if partition_date >= window_start -%}
            {%- do run_query("alter table " ~ relation ~ " drop if exists partition (" ~ partition_column ~ " = date'" ~ partition_date ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
    select 1
{%- endmacro %}

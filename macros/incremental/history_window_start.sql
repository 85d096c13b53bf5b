{#- Returns the first as_of_date an incremental history model must rewrite (ISO text), or none on a
    full build: the current as_of_date, so rebuilding a day replaces that day's rows and moving
    as_of_date backwards drops the later days as well. -#}
{% macro history_window_start() %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(segwh.as_of_date_value().isoformat()) }}
{% endmacro %}

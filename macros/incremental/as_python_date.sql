{#- Returns a date, timestamp or ISO text value from run_query as a Python date (none stays none). -#}
{% macro as_python_date(value) %}
    {%- if value is none -%}
        {{ return(none) }}
    {%- elif value is string -%}
        {{ return(modules.datetime.date.fromisoformat(value[0:10])) }}
    {%- elif value.hour is defined -%}
        {{ return(value.date()) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

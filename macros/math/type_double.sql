{#- The 64-bit floating point type (dbt.type_float() is 32-bit on DuckDB and Spark). -#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'segwh')()) }}
{% endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{#- Integer division of two non-negative integers, exact on every engine (no floating point). -#}
{% macro integer_divide(dividend, divisor) %}
    {{ return(adapter.dispatch('integer_divide', 'segwh')(dividend, divisor)) }}
{% endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}

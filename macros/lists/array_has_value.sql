{#- Returns a boolean SQL expression: true when the array `array_expression` contains `value`. -#}
{% macro array_has_value(array_expression, value) -%}
    {{ return(adapter.dispatch('array_has_value', 'segwh')(array_expression, value)) }}
{%- endmacro %}

{% macro default__array_has_value(array_expression, value) -%}
    ({{ value }} = any({{ array_expression }}))
{%- endmacro %}

{% macro duckdb__array_has_value(array_expression, value) -%}
    list_contains({{ array_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__array_has_value(array_expression, value) -%}
    array_contains({{ array_expression }}, {{ value }})
{%- endmacro %}

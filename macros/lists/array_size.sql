{#- Returns the number of elements of the array `array_expression` (0 for an empty array). -#}
{% macro array_size(array_expression) -%}
    {{ return(adapter.dispatch('array_size', 'segwh')(array_expression)) }}
{%- endmacro %}

{% macro default__array_size(array_expression) -%}
    coalesce(cardinality({{ array_expression }}), 0)
{%- endmacro %}

{% macro duckdb__array_size(array_expression) -%}
    len({{ array_expression }})
{%- endmacro %}

{% macro spark__array_size(array_expression) -%}
    size({{ array_expression }})
{%- endmacro %}

{#- Returns an array of the parts of the text `expression` split on the literal one-character
    `delimiter` (for example topics 'sale|blog'). -#}
{% macro split_to_array(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_to_array', 'segwh')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_array(expression, delimiter) -%}
    string_to_array({{ expression }}, '{{ delimiter }}')
{%- endmacro %}

{% macro duckdb__split_to_array(expression, delimiter) -%}
    string_split({{ expression }}, '{{ delimiter }}')
{%- endmacro %}

{#- Spark's split takes a regular expression: the delimiter is put in a character class. -#}
{% macro spark__split_to_array(expression, delimiter) -%}
    split({{ expression }}, '[{{ delimiter }}]')
{%- endmacro %}

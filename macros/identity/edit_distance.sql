{#- Returns the Levenshtein edit distance between two text expressions (null when either is
    null). PostgreSQL needs the fuzzystrmatch extension, which on-run-start creates. -#}
{% macro edit_distance(left_expression, right_expression) -%}
    {{ return(adapter.dispatch('edit_distance', 'segwh')(left_expression, right_expression)) }}
{%- endmacro %}

{% macro default__edit_distance(left_expression, right_expression) -%}
    levenshtein({{ left_expression }}, {{ right_expression }})
{%- endmacro %}

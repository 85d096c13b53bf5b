{#- Returns `expression` with leading and trailing ASCII white space (spaces, tabs, line breaks)
    removed, and null when nothing is left. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text', 'segwh')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
    nullif(regexp_replace({{ expression }}, '^[[:space:]]+|[[:space:]]+$', '', 'g'), '')
{%- endmacro %}

{% macro spark__clean_text(expression) -%}
    nullif(regexp_replace({{ expression }}, '^\\s+|\\s+$', ''), '')
{%- endmacro %}


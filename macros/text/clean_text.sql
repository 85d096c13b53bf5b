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

{#- DuckDB and PostgreSQL trim the same six characters without a regular expression (faster). -#}
{% macro duckdb__clean_text(expression) -%}
    nullif(trim({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '')
{%- endmacro %}

{% macro postgres__clean_text(expression) -%}
    nullif(btrim({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '')
{%- endmacro %}

{#- Returns `text` (a Jinja string) as a SQL string literal, escaped for the engine. -#}
{% macro string_literal(text) %}
    {{ return(adapter.dispatch('string_literal', 'segwh')(text)) }}
{% endmacro %}

{% macro default__string_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

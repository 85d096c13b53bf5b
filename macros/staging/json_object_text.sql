{#- Returns a JSON object as text with one key per name in `column_names` (their values in the
    relation aliased `relation_alias`, nulls kept as null), for keeping the raw values of
    quarantined rows. -#}
{% macro json_object_text(column_names, relation_alias) -%}
    {{ return(adapter.dispatch('json_object_text', 'segwh')(column_names, relation_alias)) }}
{%- endmacro %}

{% macro default__json_object_text(column_names, relation_alias) -%}
    cast(json_build_object(
        {%- for name in column_names %}
        '{{ name }}', {{ relation_alias }}.{{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as text)
{%- endmacro %}

{% macro duckdb__json_object_text(column_names, relation_alias) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ relation_alias }}.{{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__json_object_text(column_names, relation_alias) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ relation_alias }}.{{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

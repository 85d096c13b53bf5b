{#- Returns a text expression joining the key columns of a row with '|' (an empty string for a
    null part), prefixed by `relation_alias`, for showing which source record a row belongs to. -#}
{% macro source_key(key_columns, relation_alias) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- do parts.append("coalesce(cast(" ~ relation_alias ~ "." ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ parts | join(" || '|' || ") }}
{%- endmacro %}

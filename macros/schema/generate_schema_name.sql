{#- Returns the schema a model is built in: its custom schema name exactly as written (raw,
    staging, intermediate, marts, activation) on every target, instead of dbt's default
    "<target schema>_<custom schema>" concatenation. Models without one use the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-start: creates what an engine needs before the models run (PostgreSQL's
    fuzzystrmatch for edit_distance); nothing elsewhere. -#}
{% macro create_required_extensions() -%}
    {{ return(adapter.dispatch('create_required_extensions', 'segwh')()) }}
{%- endmacro %}

{% macro default__create_required_extensions() -%}
    select 1 as nothing_to_create
{%- endmacro %}

{% macro postgres__create_required_extensions() -%}
    create extension if not exists fuzzystrmatch
{%- endmacro %}

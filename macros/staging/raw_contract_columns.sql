{#- Returns the list of contract column names of raw table `table_name`, read from the dbt
    source definition (models/staging/_raw__sources.yml, generated from the raw contract),
    without the loader's own raw_* columns. -#}
{% macro raw_contract_columns(table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.segwh.raw.' ~ table_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("no raw source named '" ~ table_name ~ "'") }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for name in node.columns.keys() if not name.startswith('raw_') -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- Returns the relation `schema`.`identifier` of the target's database when it exists, else
    none: for tables written outside dbt (published audience, erasure purges) or read before their
    model first runs. -#}
{% macro existing_relation(schema, identifier) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=segwh.target_database(), schema=schema, identifier=identifier)) }}
{% endmacro %}

{#- Returns the database part of relations on the target (none on Spark, which has schemas only). -#}
{% macro target_database() %}
    {{ return(none if target.type == 'spark' else target.database) }}
{% endmacro %}

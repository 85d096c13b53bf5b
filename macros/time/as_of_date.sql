{#- Returns a SQL date literal for the `as_of_date` var: the day every model is computed as of. -#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_value().isoformat() }}' as date)
{%- endmacro %}

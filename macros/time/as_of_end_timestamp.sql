{#- Returns a SQL timestamp literal for the first moment after `as_of_date` (midnight UTC of the
    next day). A row counts as on or before `as_of_date` when its time is strictly before this. -#}
{% macro as_of_end_timestamp() -%}
    {%- set next_day = as_of_date_value() + modules.datetime.timedelta(days=1) -%}
    cast('{{ next_day.isoformat() }} 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

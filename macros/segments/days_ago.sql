{#- Returns the SQL date `days` days before as_of_date: the date helper of segment rules
    (`last_order_date >= days_ago(30)`). -#}
{% macro days_ago(days) -%}
    cast('{{ (segwh.as_of_date_value() - modules.datetime.timedelta(days=days | int)).isoformat() }}' as date)
{%- endmacro %}

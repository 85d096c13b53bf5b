{#- Returns the whole number of days from the date in `date_expression` to as_of_date
    ("days since X" in every rule). -#}
{% macro days_since(date_expression) -%}
    {{ dbt.datediff(date_expression, segwh.as_of_date(), 'day') }}
{%- endmacro %}

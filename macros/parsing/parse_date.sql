{#- Returns the text column `column_name` as a date when it is a valid ISO-8601 calendar date
    (YYYY-MM-DD), otherwise null. -#}
{% macro parse_date(column_name) -%}
    case
        when length({{ column_name }}) = 10 and {{ segwh.is_valid_iso_datetime(column_name, allow_offset=false) }}
            then cast({{ column_name }} as date)
    end
{%- endmacro %}

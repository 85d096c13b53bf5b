{#- Returns the text column `column_name` as an integer when it is a whole number of at most
    nine digits (an optional leading minus), otherwise null. -#}
{% macro parse_integer(column_name) -%}
    case
        when {{ segwh.matches_pattern(column_name, '-?[0-9]{1,9}') }}
            then cast({{ column_name }} as integer)
    end
{%- endmacro %}

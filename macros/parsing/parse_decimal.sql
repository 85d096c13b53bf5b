{#- Returns the text column `column_name` as decimal(18, 2) when it is a plain number with a dot
    as decimal separator (an optional leading minus, at most 15 integer digits), otherwise null. -#}
{% macro parse_decimal(column_name) -%}
    case
        when {{ segwh.matches_pattern(column_name, '-?[0-9]{1,15}([.][0-9]+)?') }}
            then cast({{ column_name }} as decimal(18, 2))
    end
{%- endmacro %}

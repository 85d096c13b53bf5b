{#- The tie-safe 1-to-5 score of a value from its rank() (ties share the lowest rank) among
    `count_expression` scored rows: least(5, 1 + floor(5 * (rank - 1) / (n - 1))), exact integer
    arithmetic, 1 for everyone when n = 1. -#}
{% macro quintile_score(rank_expression, count_expression) -%}
    cast(case
        when {{ count_expression }} <= 1 then 1
        else least(5, 1 + {{ segwh.integer_divide('5 * (' ~ rank_expression ~ ' - 1)', '(' ~ count_expression ~ ' - 1)') }})
    end as integer)
{%- endmacro %}

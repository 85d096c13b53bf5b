{#- The factor 0.5 ^ (age / half_life) as a double: how much an event of `age_expression` days
    still counts when its weight halves every `half_life` days. -#}
{% macro exponential_decay(age_expression, half_life) -%}
    power(cast(0.5 as {{ segwh.type_double() }}), cast({{ age_expression }} as {{ segwh.type_double() }}) / {{ half_life }})
{%- endmacro %}

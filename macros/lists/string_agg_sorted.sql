{#- Aggregate: returns the distinct non-null values of `expression` in a group, sorted and joined
    with `delimiter` (for example segment names 'champions|loyal'), the same on every engine. -#}
{% macro string_agg_sorted(expression, delimiter) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'segwh')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__string_agg_sorted(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__string_agg_sorted(expression, delimiter) -%}
    array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}')
{%- endmacro %}

{#- Aggregate: the value of `value` on the group's first row by the columns of `order_by` (a list,
    ascending; they must not be null and should identify one row), counting only the rows where
    `condition` holds when one is given. A null `value` on that row is returned as null. One pass
    over the group instead of a row_number window joined back (int_events__web_sessions). -#}
{% macro first_by(value, order_by, condition=none) -%}
    {{ return(adapter.dispatch('first_by', 'segwh')(value, order_by, condition)) }}
{%- endmacro %}

{% macro _first_by_filter(condition) -%}
    {%- if condition is not none %} filter (where {{ condition }}){% endif -%}
{%- endmacro %}

{#- DuckDB: arg_min_null, since arg_min skips the rows whose value is null. -#}
{% macro duckdb__first_by(value, order_by, condition) -%}
    arg_min_null({{ value }}, ({{ order_by | join(', ') }})){{ segwh._first_by_filter(condition) }}
{%- endmacro %}

{% macro spark__first_by(value, order_by, condition) -%}
    min_by({{ value }}, struct({{ order_by | join(', ') }})){{ segwh._first_by_filter(condition) }}
{%- endmacro %}

{% macro default__first_by(value, order_by, condition) -%}
    (array_agg({{ value }} order by {{ order_by | join(', ') }}){{ segwh._first_by_filter(condition) }})[1]
{%- endmacro %}

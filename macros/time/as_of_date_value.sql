{#- Returns the `as_of_date` var as a Python date (today in UTC when the var is empty).
    Raises a compiler error naming the var when it is not an ISO date. -#}
{% macro as_of_date_value() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        {{ return(modules.datetime.datetime.utcnow().date()) }}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be an ISO date (YYYY-MM-DD), got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.date(text[0:4] | int, text[5:7] | int, text[8:10] | int)) }}
{%- endmacro %}

{#- Returns the email in `column_name` trimmed of white space and lower-cased (null when empty).
    Whether it is a usable address is is_valid_email's job. -#}
{% macro normalize_email(column_name) -%}
    lower({{ segwh.clean_text(column_name) }})
{%- endmacro %}

{#- Returns a boolean SQL expression: true when `expression`, an already normalised (trimmed,
    lower-case) email, has a usable syntax: ASCII local part of letters, digits and ._%+- without
    leading, trailing or double dots and at most 64 characters, one @, a domain of dot-separated labels that do not start or
    end with a hyphen, a letter-only top-level domain, at most 254 characters. -#}
{% macro is_valid_email(expression) -%}
    coalesce(
        length({{ expression }}) <= 254
        and position('@' in {{ expression }}) between 2 and 65
        and {{ segwh.matches_pattern(
            expression,
            '[a-z0-9_%+-]+([.][a-z0-9_%+-]+)*@[a-z0-9]([a-z0-9-]*[a-z0-9])?([.][a-z0-9]([a-z0-9-]*[a-z0-9])?)*[.][a-z]{2,24}'
        ) }},
        false
    )
{%- endmacro %}

{#- Returns a boolean SQL expression: whether marketing consent of a person in country
    `country_code_sql` needs a confirmed double opt-in. Var double_opt_in_required is the default
    for every country; var double_opt_in_required_by_country overrides it per ISO country code
    (for example {US: false}). -#}
{% macro double_opt_in_required(country_code_sql) -%}
    {%- set by_country = var('double_opt_in_required_by_country', {}) or {} -%}
    {%- set default = 'true' if var('double_opt_in_required', true) else 'false' -%}
    {%- if by_country | length == 0 -%}
        {{ default }}
    {%- else -%}
        case upper({{ country_code_sql }})
            {%- for country, required in by_country.items() %}
            when '{{ country | upper }}' then {{ 'true' if required else 'false' }}
            {%- endfor %}
            else {{ default }}
        end
    {%- endif -%}
{%- endmacro %}

{#- Returns a SQL case expression giving 'blocklisted: <reason>' when the identifier in
    (`type_column`, `value_column`) matches a row of the identity_blocklist seed (type `any`
    matches every type), else null. The seed is read when the model runs and unrolled into
    literal patterns, which is faster than joining on regular expressions. A missing seed stops
    the run: linking without the blocklist would merge strangers. sqlfluff sets the var
    segwh_linting, where no warehouse exists. -#}
{% macro identity_blocklist_reason(type_column, value_column) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- set seed = load_relation(ref('identity_blocklist')) -%}
        {%- if seed is not none -%}
            {%- set rows = run_query('select identifier_type, pattern, reason from ' ~ seed).rows -%}
        {%- elif not var('segwh_linting', false) -%}
            {{ exceptions.raise_compiler_error("seed identity_blocklist is missing: run `dbt seed` or `dbt build` first") }}
        {%- endif -%}
    {%- endif -%}
    case
        {%- for row in rows %}
        when {% if row[0] != 'any' %}{{ type_column }} = '{{ row[0] }}' and {% endif -%}
            {{ segwh.matches_pattern('lower(' ~ value_column ~ ')', row[1]) }}
            then 'blocklisted: {{ row[2] }}'
        {%- endfor %}
        when 1 = 0 then 'never'
    end
{%- endmacro %}

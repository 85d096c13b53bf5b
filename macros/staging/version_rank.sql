{#- Returns two columns for deduplicating a base model's rows on their source key:
    `version_rank` (1 for the version that wins: the latest `version_column`, then the last row
    of the file) and `kept_raw_row_number` (the raw row of that winning version). Quarantined rows
    are not ranked (1 and their own row): they never displace a usable version, and their rank does
    not depend on which other rows an incremental run happens to see. -#}
{% macro version_rank(key_columns, version_column=none) -%}
    {%- set window -%}
        partition by {{ key_columns | join(', ') }}, case when quarantine_reason is null then 0 else raw_row_number end
        order by {% if version_column %}{{ version_column }} desc nulls last, {% endif %}raw_row_number desc
    {%- endset -%}
    row_number() over ({{ window }}) as version_rank,
    first_value(raw_row_number) over ({{ window }}) as kept_raw_row_number
{%- endmacro %}

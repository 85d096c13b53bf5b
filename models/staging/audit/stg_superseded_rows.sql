{{ config(materialized='table') }}

with

{% for entry in segwh.staging_tables() %}
superseded_{{ entry.table }} as (

    select
        '{{ entry.table }}' as source_table,
        {{ segwh.source_key(entry.key, 'base') }} as source_key,
        base.raw_row_number,
        base.kept_raw_row_number
    from {{ ref(entry.base) }} as base
    where base.quarantine_reason is null and base.version_rank > 1

),

{% endfor %}
all_superseded as (

    {% for entry in segwh.staging_tables() -%}
    select * from superseded_{{ entry.table }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

)

select * from all_superseded

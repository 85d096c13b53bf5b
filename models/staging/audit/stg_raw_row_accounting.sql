{{ config(materialized='table') }}

with

quarantined as (

    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('stg_quarantined_rows') }}
    group by source_table

),

superseded as (

    select
        source_table,
        count(*) as superseded_rows
    from {{ ref('stg_superseded_rows') }}
    group by source_table

),

{% for entry in segwh.staging_tables() %}
counts_{{ entry.table }} as (

    select
        '{{ entry.table }}' as source_table,
        '{{ entry.staging }}' as staging_model,
        (select count(*) from {{ source('raw', entry.table) }}) as raw_rows,
        (select count(*) from {{ ref(entry.staging) }}) as staged_rows

),

{% endfor %}
all_counts as (

    {% for entry in segwh.staging_tables() -%}
    select * from counts_{{ entry.table }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

),

final as (

    select
        all_counts.source_table,
        all_counts.staging_model,
        all_counts.raw_rows,
        all_counts.staged_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
        coalesce(superseded.superseded_rows, 0) as superseded_rows,
        all_counts.raw_rows
        - all_counts.staged_rows
        - coalesce(quarantined.quarantined_rows, 0)
        - coalesce(superseded.superseded_rows, 0) as unaccounted_rows
    from all_counts
    left join quarantined
        on all_counts.source_table = quarantined.source_table
    left join superseded
        on all_counts.source_table = superseded.source_table

)

select * from final

-- Where the unusable raw rows are, by table and reason, with one example source key each:
-- the first place to look when a load looks short.

with

quarantined as (

    select * from {{ ref('stg_quarantined_rows') }}

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}

),

by_reason as (

    select
        quarantined.source_table,
        quarantined.reason_code,
        count(*) as quarantined_rows,
        min(quarantined.source_key) as example_source_key
    from quarantined
    group by quarantined.source_table, quarantined.reason_code

),

final as (

    select
        by_reason.source_table,
        by_reason.reason_code,
        reasons.description,
        by_reason.quarantined_rows,
        by_reason.example_source_key
    from by_reason
    left join reasons
        on by_reason.reason_code = reasons.reason_code

)

select * from final
order by source_table asc, quarantined_rows desc

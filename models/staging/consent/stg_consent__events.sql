with

consent_events as (

    select * from {{ ref('base_consent__events') }}

),

usable as (

    select
        customer_id,
        email,
        channel,
        purpose,
        consent_status,
        consent_method,
        consent_source,
        raw_row_number,
        occurred_at
    from consent_events
    where quarantine_reason is null and version_rank = 1

)

select * from usable

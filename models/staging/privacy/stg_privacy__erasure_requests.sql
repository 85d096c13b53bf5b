with

erasure_requests as (

    select * from {{ ref('base_privacy__erasure_requests') }}

),

usable as (

    select
        identifier_type,
        identifier_value,
        raw_row_number,
        requested_at
    from erasure_requests
    where quarantine_reason is null and version_rank = 1

)

select * from usable

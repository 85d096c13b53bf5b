with

preferences as (

    select * from {{ ref('base_esp__preferences') }}

),

usable as (

    select
        customer_id,
        email,
        topics,
        frequency,
        raw_row_number,
        updated_at
    from preferences
    where quarantine_reason is null and version_rank = 1

)

select * from usable

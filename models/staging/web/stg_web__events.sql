with

web_events as (

    select * from {{ ref('base_web__events') }}

),

usable as (

    select
        event_id,
        anonymous_id,
        customer_id,
        email,
        session_id,
        event_type,
        product_id,
        device_type,
        quantity,
        price,
        raw_row_number,
        occurred_at,
        received_at
    from web_events
    where quarantine_reason is null and version_rank = 1

)

select * from usable

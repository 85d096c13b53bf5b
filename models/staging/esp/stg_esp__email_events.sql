with

email_events as (

    select * from {{ ref('base_esp__email_events') }}

),

usable as (

    select
        message_id,
        campaign_id,
        email,
        event_type,
        case when event_type = 'bounce' then coalesce(bounce_type, 'soft') end as bounce_type,
        subscriber_id,
        raw_row_number,
        occurred_at,
        received_at
    from email_events
    where quarantine_reason is null and version_rank = 1

)

select * from usable

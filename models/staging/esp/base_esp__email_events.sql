{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'email_events') }}

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('message_id') }} as message_id,
        {{ segwh.clean_text('campaign_id') }} as campaign_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        lower({{ segwh.clean_text('event_type') }}) as event_type,
        lower({{ segwh.clean_text('bounce_type') }}) as bounce_type,
        {{ segwh.clean_text('subscriber_id') }} as subscriber_id,
        {{ segwh.clean_text('occurred_at') }} as occurred_at_text,
        {{ segwh.clean_text('received_at') }} as received_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('email_normalized') }} then email_normalized end as email,
        {{ segwh.parse_timestamp('occurred_at_text') }} as occurred_at,
        {{ segwh.parse_timestamp('received_at_text') }} as received_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when message_id is null or occurred_at_text is null then 'missing_key'
            when occurred_at is null then 'invalid_timestamp'
            when received_at_text is not null and received_at is null then 'invalid_timestamp'
            when event_type is null then 'unknown_event_type'
            when event_type not in (
                'sent', 'delivered', 'open', 'click', 'bounce', 'unsubscribe', 'complaint'
            ) then 'unknown_event_type'
            when bounce_type is not null and bounce_type not in ('hard', 'soft') then 'invalid_value'
            when email is null then 'invalid_email'
            when occurred_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
            when received_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['message_id', 'email_normalized', 'event_type', 'occurred_at']) }}
    from checked

)

select
    raw_row_number,
    message_id,
    campaign_id,
    email,
    email_normalized,
    event_type,
    bounce_type,
    subscriber_id,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    occurred_at,
    received_at
from ranked

{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'consent_events') }}

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('customer_id') }} as customer_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        lower({{ segwh.clean_text('channel') }}) as channel,
        lower({{ segwh.clean_text('purpose') }}) as purpose,
        lower({{ segwh.clean_text('status') }}) as consent_status,
        lower({{ segwh.clean_text('method') }}) as consent_method,
        {{ segwh.clean_text('source') }} as consent_source,
        {{ segwh.clean_text('occurred_at') }} as occurred_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('email_normalized') }} then email_normalized end as email,
        {{ segwh.parse_timestamp('occurred_at_text') }} as occurred_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when occurred_at is null then 'invalid_timestamp'
            when channel is null or channel not in ('email', 'sms') then 'invalid_value'
            when purpose is null or purpose not in ('marketing', 'personalisation') then 'invalid_value'
            when consent_status is null or consent_status not in ('granted', 'withdrawn') then 'invalid_value'
            when consent_method not in (
                'double_opt_in_confirmed', 'double_opt_in_pending', 'single_opt_in', 'imported'
            ) then 'invalid_value'
            when customer_id is null and email is null then 'no_customer_identifier'
            when occurred_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(
            ['customer_id', 'email_normalized', 'channel', 'purpose', 'consent_status', 'consent_method', 'occurred_at']
        ) }}
    from checked

)

select
    raw_row_number,
    customer_id,
    email,
    email_normalized,
    channel,
    purpose,
    consent_status,
    consent_method,
    consent_source,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    occurred_at
from ranked

{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'preferences') }}

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('customer_id') }} as customer_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        lower({{ segwh.clean_text('topics') }}) as topics,
        lower({{ segwh.clean_text('frequency') }}) as frequency_text,
        {{ segwh.clean_text('updated_at') }} as updated_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('email_normalized') }} then email_normalized end as email,
        case when frequency_text in ('daily', 'weekly', 'monthly') then frequency_text end as frequency,
        {{ segwh.parse_timestamp('updated_at_text') }} as updated_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when updated_at is null then 'invalid_timestamp'
            when customer_id is null and email is null then 'no_customer_identifier'
            when frequency_text is not null and frequency is null then 'invalid_value'
            when updated_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['customer_id', 'email'], 'updated_at') }}
    from checked

)

select
    raw_row_number,
    customer_id,
    email,
    topics,
    frequency,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    updated_at
from ranked

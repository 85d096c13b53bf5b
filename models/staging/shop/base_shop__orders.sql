{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'orders') }}

),

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

reporting_rate as (

    select units_per_usd as reporting_units_per_usd
    from currency_rates
    where currency_code = '{{ var("reporting_currency") }}'

),

default_calling_code as (

    select calling_code as default_calling_code
    from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('order_id') }} as order_id,
        {{ segwh.clean_text('customer_id') }} as customer_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        {{ segwh.clean_text('phone') }} as phone_text,
        coalesce(upper({{ segwh.clean_text('currency') }}), '{{ var("reporting_currency") }}') as currency_code,
        coalesce(lower({{ segwh.clean_text('status') }}), 'completed') as order_status,
        {{ segwh.clean_text('amount') }} as amount_text,
        {{ segwh.clean_text('refunded_amount') }} as refunded_amount_text,
        {{ segwh.clean_text('ordered_at') }} as ordered_at_text,
        {{ segwh.clean_text('updated_at') }} as updated_at_text
    from source

),

typed as (

    select
        cleaned.raw_row_number,
        cleaned.order_id,
        cleaned.customer_id,
        cleaned.email_normalized,
        case when {{ segwh.is_valid_email('cleaned.email_normalized') }} then cleaned.email_normalized end as email,
        {{ segwh.phone_to_e164('cleaned.phone_text', 'default_calling_code.default_calling_code') }} as phone_e164,
        cleaned.currency_code,
        cleaned.order_status,
        {{ segwh.parse_decimal('cleaned.amount_text') }} as amount_original,
        coalesce({{ segwh.parse_decimal('cleaned.refunded_amount_text') }}, 0) as refunded_amount_original,
        currency_rates.units_per_usd,
        -- fixing the rate to 10 decimals first keeps the conversion exact decimal arithmetic on every engine
        cast(
            reporting_rate.reporting_units_per_usd / currency_rates.units_per_usd as decimal(18, 10)
        ) as rate_to_reporting,
        cleaned.amount_text,
        cleaned.refunded_amount_text,
        cleaned.ordered_at_text,
        cleaned.updated_at_text,
        {{ segwh.parse_timestamp('cleaned.ordered_at_text') }} as ordered_at,
        {{ segwh.parse_timestamp('cleaned.updated_at_text') }} as updated_at
    from cleaned
    left join reporting_rate on 1 = 1
    left join default_calling_code on 1 = 1
    left join currency_rates
        on cleaned.currency_code = currency_rates.currency_code

),

checked as (

    select
        typed.*,
        case
            when order_id is null then 'missing_key'
            when ordered_at is null then 'invalid_timestamp'
            when updated_at_text is not null and updated_at is null then 'invalid_timestamp'
            when amount_original is null then 'invalid_amount'
            when refunded_amount_text is not null and {{ segwh.parse_decimal('refunded_amount_text') }} is null
                then 'invalid_amount'
            when amount_original < 0 or refunded_amount_original < 0 then 'negative_amount'
            when units_per_usd is null then 'unknown_currency'
            when customer_id is null and email is null then 'no_customer_identifier'
            when ordered_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
            when updated_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['order_id'], 'updated_at') }}
    from checked

)

select
    raw_row_number,
    order_id,
    customer_id,
    email,
    email_normalized,
    phone_e164,
    currency_code,
    order_status,
    amount_original,
    refunded_amount_original,
    cast(amount_original * rate_to_reporting as decimal(18, 2)) as amount,
    cast(refunded_amount_original * rate_to_reporting as decimal(18, 2)) as refunded_amount,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    ordered_at,
    updated_at
from ranked

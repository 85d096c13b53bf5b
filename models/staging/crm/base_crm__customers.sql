{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'customers') }}

),

calling_codes as (

    select * from {{ ref('country_calling_codes') }}

),

default_calling_code as (

    select calling_code as default_calling_code
    from calling_codes
    where country_code = '{{ var("default_phone_country") }}'

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('customer_id') }} as customer_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        {{ segwh.clean_text('phone') }} as phone_text,
        {{ segwh.clean_text('first_name') }} as first_name,
        {{ segwh.clean_text('last_name') }} as last_name,
        upper({{ segwh.clean_text('country') }}) as country_code,
        {{ segwh.clean_text('region') }} as region,
        {{ segwh.clean_text('city') }} as city,
        upper({{ segwh.clean_text('postal_code') }}) as postal_code,
        lower({{ segwh.clean_text('gender') }}) as gender,
        lower({{ segwh.clean_text('language') }}) as language_code,
        {{ segwh.clean_text('birth_date') }} as birth_date_text,
        {{ segwh.clean_text('signed_up_at') }} as signed_up_at_text,
        {{ segwh.clean_text('updated_at') }} as updated_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('cleaned.email_normalized') }} then cleaned.email_normalized end as email,
        {{ segwh.phone_to_e164(
            'cleaned.phone_text',
            'coalesce(calling_codes.calling_code, default_calling_code.default_calling_code)'
        ) }} as phone_e164,
        {{ segwh.parse_date('cleaned.birth_date_text') }} as birth_date,
        {{ segwh.parse_timestamp('cleaned.signed_up_at_text') }} as signed_up_at,
        {{ segwh.parse_timestamp('cleaned.updated_at_text') }} as updated_at
    from cleaned
    left join default_calling_code on 1 = 1
    left join calling_codes
        on cleaned.country_code = calling_codes.country_code

),

checked as (

    select
        typed.*,
        case
            when customer_id is null then 'missing_key'
            when signed_up_at_text is not null and signed_up_at is null then 'invalid_timestamp'
            when updated_at_text is not null and updated_at is null then 'invalid_timestamp'
            when signed_up_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
            when updated_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['customer_id'], 'updated_at') }}
    from checked

)

select
    raw_row_number,
    customer_id,
    email,
    email_normalized,
    phone_e164,
    phone_text,
    first_name,
    last_name,
    country_code,
    region,
    city,
    postal_code,
    gender,
    language_code,
    (email_normalized is not null and email is null) as has_invalid_email,
    (phone_text is not null and phone_e164 is null) as has_invalid_phone,
    (birth_date_text is not null and birth_date is null) as has_invalid_birth_date,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    birth_date,
    signed_up_at,
    updated_at
from ranked

{{ config(materialized='table') }}

{#- Erasure requests are honoured whatever the as_of_date: replaying the past must not bring an
    erased person back, so rows after as_of_date are not deferred here. -#}

with

source as (

    select * from {{ source('raw', 'erasure_requests') }}

),

default_calling_code as (

    select calling_code as default_calling_code
    from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'

),

cleaned as (

    select
        raw_row_number,
        lower({{ segwh.clean_text('identifier_type') }}) as identifier_type,
        {{ segwh.clean_text('identifier_value') }} as identifier_text,
        {{ segwh.clean_text('requested_at') }} as requested_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case
            when cleaned.identifier_type = 'email' then lower(cleaned.identifier_text)
            when cleaned.identifier_type = 'phone'
                then coalesce(
                    {{ segwh.phone_to_e164('cleaned.identifier_text', 'default_calling_code.default_calling_code') }},
                    cleaned.identifier_text
                )
            else cleaned.identifier_text
        end as identifier_value,
        {{ segwh.parse_timestamp('cleaned.requested_at_text') }} as requested_at
    from cleaned
    left join default_calling_code on 1 = 1

),

checked as (

    select
        typed.*,
        case
            when identifier_text is null then 'missing_key'
            when identifier_type is null then 'invalid_value'
            when identifier_type not in ('customer_id', 'email', 'phone') then 'invalid_value'
            when requested_at is null then 'invalid_timestamp'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['identifier_type', 'identifier_value'], 'requested_at') }}
    from checked

)

select
    raw_row_number,
    identifier_type,
    identifier_value,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    requested_at
from ranked

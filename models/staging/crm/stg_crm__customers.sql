with

customers as (

    select * from {{ ref('base_crm__customers') }}

),

usable as (

    select
        customer_id,
        email,
        email_normalized,
        phone_e164,
        first_name,
        last_name,
        country_code,
        region,
        city,
        postal_code,
        gender,
        language_code,
        raw_row_number,
        has_invalid_email,
        has_invalid_phone,
        has_invalid_birth_date,
        birth_date,
        signed_up_at,
        updated_at
    from customers
    where quarantine_reason is null and version_rank = 1

)

select * from usable

{#- Pairs of CRM records that deterministic rules may miss: the same normalised first name, last
    name and postal code, and emails or phones one edit apart. Scored, never merged unless the
    var identity_fuzzy_promote_min_score is set. customer_id_a < customer_id_b. -#}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

comparable as (

    select
        customer_id,
        lower(first_name) as first_name_key,
        lower(last_name) as last_name_key,
        {{ segwh.replace_pattern('postal_code', '[^A-Z0-9]', '') }} as postal_code_key,
        email,
        phone_e164
    from customers
    where first_name is not null and last_name is not null and postal_code is not null

),

pairs as (

    select
        left_record.customer_id as customer_id_a,
        right_record.customer_id as customer_id_b,
        {{ segwh.edit_distance('left_record.email', 'right_record.email') }} as email_distance,
        {{ segwh.edit_distance('left_record.phone_e164', 'right_record.phone_e164') }} as phone_distance
    from comparable as left_record
    inner join comparable as right_record
        on left_record.first_name_key = right_record.first_name_key
        and left_record.last_name_key = right_record.last_name_key
        and left_record.postal_code_key = right_record.postal_code_key
        and left_record.customer_id < right_record.customer_id

),

scored as (

    select
        customer_id_a,
        customer_id_b,
        email_distance,
        phone_distance,
        case
            when email_distance = 1 and phone_distance = 1 then 0.95
            when email_distance = 1 then 0.9
            when phone_distance = 1 then 0.85
        end as match_score
    from pairs
    where email_distance = 1 or phone_distance = 1

)

select * from scored

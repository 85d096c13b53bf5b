with

orders as (

    select * from {{ ref('base_shop__orders') }}

),

usable as (

    select
        order_id,
        customer_id,
        email,
        phone_e164,
        order_status,
        currency_code,
        amount_original,
        refunded_amount_original,
        amount,
        refunded_amount,
        raw_row_number,
        ordered_at,
        updated_at
    from orders
    where quarantine_reason is null and version_rank = 1

)

select * from usable

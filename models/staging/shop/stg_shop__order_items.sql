with

order_items as (

    select * from {{ ref('base_shop__order_items') }}

),

usable as (

    select
        order_id,
        product_id,
        quantity,
        unit_price,
        raw_row_number
    from order_items
    where quarantine_reason is null and version_rank = 1

)

select * from usable

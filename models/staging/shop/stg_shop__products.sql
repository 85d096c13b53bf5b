with

products as (

    select * from {{ ref('base_shop__products') }}

),

usable as (

    select
        product_id,
        product_name,
        category,
        price,
        unit_cost,
        raw_row_number,
        updated_at
    from products
    where quarantine_reason is null and version_rank = 1

)

select * from usable

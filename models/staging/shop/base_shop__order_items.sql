{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'order_items') }}

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('order_id') }} as order_id,
        {{ segwh.clean_text('product_id') }} as product_id,
        {{ segwh.clean_text('quantity') }} as quantity_text,
        {{ segwh.clean_text('unit_price') }} as unit_price_text
    from source

),

typed as (

    select
        cleaned.*,
        coalesce({{ segwh.parse_integer('quantity_text') }}, case when quantity_text is null then 1 end) as quantity,
        {{ segwh.parse_decimal('unit_price_text') }} as unit_price
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when order_id is null or product_id is null then 'missing_key'
            when quantity is null or quantity <= 0 then 'invalid_quantity'
            when unit_price_text is not null and unit_price is null then 'invalid_amount'
            when unit_price < 0 then 'negative_amount'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['order_id', 'product_id']) }}
    from checked

)

select
    raw_row_number,
    order_id,
    product_id,
    quantity,
    unit_price,
    quarantine_reason,
    version_rank,
    kept_raw_row_number
from ranked

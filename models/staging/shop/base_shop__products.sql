{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'products') }}

),

cleaned as (

    select
        raw_row_number,
        {{ segwh.clean_text('product_id') }} as product_id,
        {{ segwh.clean_text('product_name') }} as product_name,
        lower({{ segwh.clean_text('category') }}) as category,
        {{ segwh.clean_text('price') }} as price_text,
        {{ segwh.clean_text('cost') }} as unit_cost_text,
        {{ segwh.clean_text('updated_at') }} as updated_at_text
    from source

),

typed as (

    select
        cleaned.*,
        {{ segwh.parse_decimal('price_text') }} as price,
        {{ segwh.parse_decimal('unit_cost_text') }} as unit_cost,
        {{ segwh.parse_timestamp('updated_at_text') }} as updated_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when product_id is null then 'missing_key'
            when updated_at_text is not null and updated_at is null then 'invalid_timestamp'
            when price_text is not null and price is null then 'invalid_amount'
            when unit_cost_text is not null and unit_cost is null then 'invalid_amount'
            when price < 0 or unit_cost < 0 then 'negative_amount'
            when updated_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

ranked as (

    select
        checked.*,
        {{ segwh.version_rank(['product_id'], 'updated_at') }}
    from checked

)

select
    raw_row_number,
    product_id,
    product_name,
    category,
    price,
    unit_cost,
    quarantine_reason,
    version_rank,
    kept_raw_row_number,
    updated_at
from ranked

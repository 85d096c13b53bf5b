{#- One row per order with the customer_key of the person who placed it and whether it is a
    qualifying order: a completed sale (status in the var completed_order_statuses; an order
    without status counts as completed) that is not fully refunded. Net revenue is the amount
    minus refunds, never below zero. Amounts are in the reporting currency. -#}

with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}
    where source_table = 'orders'

),

classified as (

    select
        orders.order_id,
        record_keys.customer_key,
        orders.order_status,
        orders.amount,
        orders.refunded_amount,
        case
            when orders.amount - orders.refunded_amount > 0 then orders.amount - orders.refunded_amount
            else 0
        end as net_revenue,
        (
            orders.order_status in (
                {%- for status in var('completed_order_statuses') %}
                '{{ status }}'{{ "," if not loop.last }}
                {%- endfor %}
            )
            and not (orders.refunded_amount >= orders.amount and orders.refunded_amount > 0)
        ) as is_qualifying,
        orders.ordered_at
    from orders
    inner join record_keys
        on orders.order_id = record_keys.record_key

),

final as (

    select
        order_id,
        customer_key,
        order_status,
        amount,
        refunded_amount,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        is_qualifying,
        cast(ordered_at as date) as ordered_date,
        ordered_at
    from classified

)

select * from final

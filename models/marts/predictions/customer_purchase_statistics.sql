{#- The sufficient statistics of the BG/NBD and Gamma-Gamma models, one row per person with a
    qualifying order on or before as_of_date, a day being the time unit:
      frequency (x)        distinct purchase days after the first purchase day;
      recency_days (t_x)   days from the first to the last purchase day;
      age_days (T)         days from the first purchase day to as_of_date;
      repeat_order_value   mean net revenue of the repeat purchase days (revenue summed per day;
                           empty when x = 0). -#}

with

orders as (

    select * from {{ ref('int_orders__attributed') }}
    where is_qualifying and ordered_date <= {{ segwh.as_of_date() }}

),

purchase_days as (

    select
        customer_key,
        ordered_date as purchase_date,
        sum(net_revenue) as day_revenue
    from orders
    group by customer_key, ordered_date

),

numbered_days as (

    select
        purchase_days.*,
        min(purchase_date) over (partition by customer_key) as first_purchase_date
    from purchase_days

),

per_customer as (

    select
        customer_key,
        min(first_purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) as purchase_days,
        cast(
            avg(case when purchase_date > first_purchase_date then day_revenue end) as decimal(18, 2)
        ) as repeat_order_value
    from numbered_days
    group by customer_key

),

final as (

    select
        customer_key,
        first_purchase_date,
        last_purchase_date,
        purchase_days,
        purchase_days - 1 as frequency,
        {{ segwh.days_since('first_purchase_date') }}
        - {{ segwh.days_since('last_purchase_date') }} as recency_days,
        {{ segwh.days_since('first_purchase_date') }} as age_days,
        repeat_order_value
    from per_customer

)

select * from final

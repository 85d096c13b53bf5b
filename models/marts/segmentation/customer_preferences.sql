{#- One row per person in the profile: what they like and how to reach them. Top categories rank
    by net revenue (each qualifying order's net revenue shared over its items by line value) and
    by product views; ties go to the category name first in alphabetical order. The preferred
    device type is the one of most web sessions, the preferred send hour (UTC, 0-23) the hour of
    most email opens (ties: the earlier hour). Topics and frequency are the person's latest
    preference-centre answers. -#}

with

activity as (

    select * from {{ ref('int_customers__activity') }}

),

orders as (

    select * from {{ ref('int_orders__attributed') }}
    where is_qualifying and ordered_at < {{ segwh.as_of_end_timestamp() }}

),

order_items as (

    select * from {{ ref('stg_shop__order_items') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

),

web_events as (

    select * from {{ ref('int_events__web_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

sessions as (

    select * from {{ ref('int_events__web_sessions') }}
    where customer_key is not null and started_at < {{ segwh.as_of_end_timestamp() }}

),

email_events as (

    select * from {{ ref('int_events__email_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

preferences as (

    select * from {{ ref('stg_esp__preferences') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

item_lines as (

    select
        orders.customer_key,
        orders.order_id,
        orders.net_revenue,
        coalesce(products.category, 'unknown') as category,
        order_items.quantity * order_items.unit_price as line_value,
        sum(order_items.quantity * order_items.unit_price) over (partition by orders.order_id) as order_line_value
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    left join products
        on order_items.product_id = products.product_id

),

category_revenue as (

    select
        customer_key,
        category,
        sum(
            case when order_line_value > 0 then net_revenue * line_value / order_line_value else 0 end
        ) as net_revenue
    from item_lines
    group by customer_key, category

),

top_revenue_category as (

    select
        customer_key,
        category,
        row_number() over (partition by customer_key order by net_revenue desc, category asc) as category_rank
    from category_revenue

),

category_views as (

    select
        web_events.customer_key,
        products.category,
        count(*) as view_count
    from web_events
    inner join products
        on web_events.product_id = products.product_id
    where web_events.event_type = 'product_view' and products.category is not null
    group by web_events.customer_key, products.category

),

top_viewed_category as (

    select
        customer_key,
        category,
        row_number() over (partition by customer_key order by view_count desc, category asc) as category_rank
    from category_views

),

device_sessions as (

    select
        customer_key,
        device_type,
        count(*) as session_count
    from sessions
    where device_type is not null
    group by customer_key, device_type

),

top_device as (

    select
        customer_key,
        device_type,
        row_number() over (partition by customer_key order by session_count desc, device_type asc) as device_rank
    from device_sessions

),

open_hours as (

    select
        customer_key,
        cast(extract(hour from occurred_at) as integer) as open_hour,
        count(*) as opens
    from email_events
    where event_type = 'open'
    group by customer_key, cast(extract(hour from occurred_at) as integer)

),

top_open_hour as (

    select
        customer_key,
        open_hour,
        row_number() over (partition by customer_key order by opens desc, open_hour asc) as hour_rank
    from open_hours

),

attributed_preferences as (

    select
        coalesce(by_customer_id.customer_key, by_email.customer_key) as customer_key,
        preferences.topics,
        preferences.frequency,
        preferences.updated_at,
        preferences.raw_row_number
    from preferences
    left join node_keys as by_customer_id
        on by_customer_id.node_key = 'customer_id:' || preferences.customer_id
    left join node_keys as by_email
        on by_email.node_key = 'email:' || preferences.email

),

latest_preferences as (

    select
        customer_key,
        topics,
        frequency,
        updated_at,
        row_number() over (
            partition by customer_key
            order by updated_at desc, raw_row_number desc
        ) as preference_rank
    from attributed_preferences
    where customer_key is not null

),

final as (

    select
        activity.customer_key,
        top_revenue_category.category as top_category_by_revenue,
        top_viewed_category.category as top_category_by_views,
        top_device.device_type as preferred_device_type,
        latest_preferences.topics as preference_topics,
        latest_preferences.frequency as preference_frequency,
        top_open_hour.open_hour as preferred_send_hour,
        latest_preferences.updated_at as preferences_updated_at
    from activity
    left join top_revenue_category
        on activity.customer_key = top_revenue_category.customer_key
        and top_revenue_category.category_rank = 1
    left join top_viewed_category
        on activity.customer_key = top_viewed_category.customer_key
        and top_viewed_category.category_rank = 1
    left join top_device
        on activity.customer_key = top_device.customer_key
        and top_device.device_rank = 1
    left join top_open_hour
        on activity.customer_key = top_open_hour.customer_key
        and top_open_hour.hour_rank = 1
    left join latest_preferences
        on activity.customer_key = latest_preferences.customer_key
        and latest_preferences.preference_rank = 1

)

select * from final

{#- One row per active behavioural trigger as of as_of_date: the person, the trigger type, the
    event that started it, when it fired and its payload (products, value). The trigger_id is a
    hash of person, type and starting event, stable across builds while the trigger holds; a row
    disappears as soon as its condition stops holding (the cart was bought, the product purchased).
    - abandoned_cart: add-to-carts of the last var abandoned_cart_lookback_days days, at least
      var abandoned_cart_wait_minutes before the end of as_of_date, with no qualifying order by the
      person at or after them. One trigger per person: the products still in the cart.
    - browse_abandonment: a product viewed at least var browse_abandonment_min_views times in the
      last var browse_abandonment_lookback_days days, never added to cart or bought since the first
      of those views. One trigger per person and product.
    - high_value_browse: a product priced at or above the var high_value_price_percentile of the
      catalogue, viewed in the last var high_value_browse_lookback_days days and not bought since.
    - repeat_visitor: at least var repeat_visitor_min_sessions sessions in the last
      var repeat_visitor_lookback_days days and no qualifying order in that window. -#}

with

web_events as (

    select * from {{ ref('int_events__web_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

sessions as (

    select * from {{ ref('int_events__web_sessions') }}
    where customer_key is not null and started_at < {{ segwh.as_of_end_timestamp() }}

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

aged_web_events as (

    select
        web_events.*,
        {{ segwh.days_since('event_date') }} as age_days
    from web_events

),

purchased_products as (

    select
        orders.customer_key,
        order_items.product_id,
        max(orders.ordered_at) as last_bought_at
    from orders
    inner join order_items
        on orders.order_id = order_items.order_id
    group by orders.customer_key, order_items.product_id

),

last_orders as (

    select
        customer_key,
        max(ordered_at) as last_ordered_at,
        max(ordered_date) as last_ordered_date
    from orders
    group by customer_key

),

-- abandoned_cart ------------------------------------------------------------------------------

cart_additions as (

    select aged_web_events.*
    from aged_web_events
    left join last_orders
        on aged_web_events.customer_key = last_orders.customer_key
    where
        aged_web_events.event_type = 'add_to_cart'
        and aged_web_events.age_days between 0 and {{ var('abandoned_cart_lookback_days') }}
        and aged_web_events.occurred_at
        <= {{ dbt.dateadd('minute', -1 * var('abandoned_cart_wait_minutes'), segwh.as_of_end_timestamp()) }}
        and (last_orders.last_ordered_at is null or last_orders.last_ordered_at < aged_web_events.occurred_at)

),

cart_starts as (

    select
        customer_key,
        event_id,
        occurred_at,
        row_number() over (partition by customer_key order by occurred_at, event_id) as addition_number
    from cart_additions

),

abandoned_carts as (

    select
        cart_additions.customer_key,
        'abandoned_cart' as trigger_type,
        cart_starts.event_id as started_by_event_id,
        {{ segwh.string_agg_sorted('cart_additions.product_id', '|') }} as product_ids,
        count(*) as event_count,
        sum(cart_additions.price * coalesce(cart_additions.quantity, 1)) as payload_value,
        {{ dbt.dateadd('minute', var('abandoned_cart_wait_minutes'), 'cart_starts.occurred_at') }} as fired_at
    from cart_additions
    inner join cart_starts
        on cart_additions.customer_key = cart_starts.customer_key
        and cart_starts.addition_number = 1
    group by cart_additions.customer_key, cart_starts.event_id, cart_starts.occurred_at

),

-- browse_abandonment --------------------------------------------------------------------------

recent_views as (

    select
        customer_key,
        product_id,
        event_id,
        occurred_at,
        row_number() over (
            partition by customer_key, product_id
            order by occurred_at, event_id
        ) as view_number,
        count(*) over (partition by customer_key, product_id) as view_count
    from aged_web_events
    where
        event_type = 'product_view'
        and product_id is not null
        and age_days between 0 and {{ var('browse_abandonment_lookback_days') }}

),

first_recent_views as (

    select
        first_view.customer_key,
        first_view.product_id,
        first_view.event_id as started_by_event_id,
        first_view.view_count,
        first_view.occurred_at as first_viewed_at,
        firing_view.occurred_at as fired_at
    from recent_views as first_view
    inner join recent_views as firing_view
        on first_view.customer_key = firing_view.customer_key
        and first_view.product_id = firing_view.product_id
        and firing_view.view_number = {{ var('browse_abandonment_min_views') }}
    where first_view.view_number = 1

),

carted_products as (

    select
        customer_key,
        product_id,
        max(occurred_at) as last_carted_at
    from web_events
    where event_type = 'add_to_cart' and product_id is not null
    group by customer_key, product_id

),

browse_abandonments as (

    select
        first_recent_views.customer_key,
        'browse_abandonment' as trigger_type,
        first_recent_views.started_by_event_id,
        first_recent_views.product_id as product_ids,
        first_recent_views.view_count as event_count,
        products.price as payload_value,
        first_recent_views.fired_at
    from first_recent_views
    left join carted_products
        on first_recent_views.customer_key = carted_products.customer_key
        and first_recent_views.product_id = carted_products.product_id
        and first_recent_views.first_viewed_at <= carted_products.last_carted_at
    left join purchased_products
        on first_recent_views.customer_key = purchased_products.customer_key
        and first_recent_views.product_id = purchased_products.product_id
        and first_recent_views.first_viewed_at <= purchased_products.last_bought_at
    left join products
        on first_recent_views.product_id = products.product_id
    where carted_products.customer_key is null and purchased_products.customer_key is null

),

-- high_value_browse ---------------------------------------------------------------------------

price_threshold as (

    select {{ segwh.percentile_cont('price', var('high_value_price_percentile')) }} as min_price
    from products

),

high_value_views as (

    select
        aged_web_events.customer_key,
        aged_web_events.product_id,
        aged_web_events.event_id,
        aged_web_events.occurred_at,
        products.price,
        row_number() over (
            partition by aged_web_events.customer_key, aged_web_events.product_id
            order by aged_web_events.occurred_at, aged_web_events.event_id
        ) as view_number,
        count(*) over (partition by aged_web_events.customer_key, aged_web_events.product_id) as view_count
    from aged_web_events
    inner join products
        on aged_web_events.product_id = products.product_id
    cross join price_threshold
    where
        aged_web_events.event_type = 'product_view'
        and aged_web_events.age_days between 0 and {{ var('high_value_browse_lookback_days') }}
        and products.price >= price_threshold.min_price

),

high_value_browses as (

    select
        high_value_views.customer_key,
        'high_value_browse' as trigger_type,
        high_value_views.event_id as started_by_event_id,
        high_value_views.product_id as product_ids,
        high_value_views.view_count as event_count,
        high_value_views.price as payload_value,
        high_value_views.occurred_at as fired_at
    from high_value_views
    left join purchased_products
        on high_value_views.customer_key = purchased_products.customer_key
        and high_value_views.product_id = purchased_products.product_id
        and high_value_views.occurred_at <= purchased_products.last_bought_at
    where high_value_views.view_number = 1 and purchased_products.customer_key is null

),

-- repeat_visitor ------------------------------------------------------------------------------

recent_sessions as (

    select
        customer_key,
        session_key,
        started_at,
        row_number() over (partition by customer_key order by started_at, session_key) as session_number,
        count(*) over (partition by customer_key) as recent_session_count
    from sessions
    where
        {{ segwh.days_since('started_date') }}
        between 0 and {{ var('repeat_visitor_lookback_days') }}

),

repeat_visits as (

    select
        first_session.customer_key,
        'repeat_visitor' as trigger_type,
        first_session.session_key as started_by_event_id,
        cast(null as {{ dbt.type_string() }}) as product_ids,
        first_session.recent_session_count as event_count,
        cast(null as decimal(18, 2)) as payload_value,
        firing_session.started_at as fired_at
    from recent_sessions as first_session
    inner join recent_sessions as firing_session
        on first_session.customer_key = firing_session.customer_key
        and firing_session.session_number = {{ var('repeat_visitor_min_sessions') }}
    left join last_orders
        on first_session.customer_key = last_orders.customer_key
        and {{ segwh.days_since('last_orders.last_ordered_date') }}
        <= {{ var('repeat_visitor_lookback_days') }}
    where first_session.session_number = 1 and last_orders.customer_key is null

),

all_triggers as (

    select * from abandoned_carts
    union all
    select * from browse_abandonments
    union all
    select * from high_value_browses
    union all
    select * from repeat_visits

),

final as (

    select
        substr(
            {{ segwh.sha256_hex("customer_key || '|' || trigger_type || '|' || started_by_event_id") }}, 1, 32
        ) as trigger_id,
        customer_key,
        trigger_type,
        started_by_event_id,
        product_ids,
        cast(event_count as integer) as event_count,
        cast(payload_value as decimal(18, 2)) as payload_value,
        fired_at
    from all_triggers

)

select * from final

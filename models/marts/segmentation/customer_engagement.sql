{#- One row per person in the profile: the engagement score, the sum over their events of the last
    var engagement_window_days days (age 0 to N) of weight x 0.5 ^ (age in days /
    var engagement_half_life_days), rounded to 2 decimals, and its level. Weights per event kind
    come from seeds/engagement_weights.csv. -#}

with

activity as (

    select * from {{ ref('int_customers__activity') }}

),

weights as (

    select * from {{ ref('engagement_weights') }}

),

orders as (

    select * from {{ ref('int_orders__attributed') }}
    where is_qualifying and ordered_at < {{ segwh.as_of_end_timestamp() }}

),

sessions as (

    select * from {{ ref('int_events__web_sessions') }}
    where customer_key is not null and started_at < {{ segwh.as_of_end_timestamp() }}

),

web_events as (

    select * from {{ ref('int_events__web_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

email_events as (

    select * from {{ ref('int_events__email_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

events as (

    select
        customer_key,
        'qualifying_order' as event_kind,
        ordered_date as event_date
    from orders
    union all
    select
        customer_key,
        'web_session' as event_kind,
        started_date as event_date
    from sessions
    union all
    select
        customer_key,
        case event_type when 'product_view' then 'product_view' else 'add_to_cart' end as event_kind,
        event_date
    from web_events
    where event_type in ('product_view', 'add_to_cart')
    union all
    select
        customer_key,
        case event_type when 'open' then 'email_open' else 'email_click' end as event_kind,
        event_date
    from email_events
    where event_type in ('open', 'click')

),

aged as (

    select
        customer_key,
        event_kind,
        {{ segwh.days_since('event_date') }} as age_days
    from events

),

in_window as (

    select
        aged.customer_key,
        aged.event_kind,
        cast(weights.weight as {{ segwh.type_double() }})
        * {{ segwh.exponential_decay('aged.age_days', var('engagement_half_life_days')) }} as decayed_points
    from aged
    inner join weights
        on aged.event_kind = weights.event_kind
    where aged.age_days between 0 and {{ var('engagement_window_days') }}

),

per_customer as (

    select
        customer_key,
        count(*) as events_in_window,
        sum(case when event_kind = 'qualifying_order' then 1 else 0 end) as orders_in_window,
        sum(case when event_kind = 'web_session' then 1 else 0 end) as sessions_in_window,
        sum(case when event_kind in ('email_open', 'email_click') then 1 else 0 end) as email_engagements_in_window,
        round(cast(sum(decayed_points) as decimal(38, 10)), 2) as engagement_score
    from in_window
    group by customer_key

),

final as (

    select
        activity.customer_key,
        case
            when coalesce(per_customer.engagement_score, 0) >= {{ var('engagement_high_min') }} then 'high'
            when coalesce(per_customer.engagement_score, 0) >= {{ var('engagement_medium_min') }} then 'medium'
            when coalesce(per_customer.engagement_score, 0) > 0 then 'low'
            else 'none'
        end as engagement_level,
        cast(coalesce(per_customer.engagement_score, 0) as decimal(18, 2)) as engagement_score,
        cast(coalesce(per_customer.events_in_window, 0) as integer) as events_in_window,
        cast(coalesce(per_customer.orders_in_window, 0) as integer) as orders_in_window,
        cast(coalesce(per_customer.sessions_in_window, 0) as integer) as sessions_in_window,
        cast(coalesce(per_customer.email_engagements_in_window, 0) as integer) as email_engagements_in_window
    from activity
    left join per_customer
        on activity.customer_key = per_customer.customer_key

)

select * from final

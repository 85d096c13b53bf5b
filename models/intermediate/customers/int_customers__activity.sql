{#- a table, not a view: four marts and its tests read it, each would recompute it from every event -#}
{{ config(materialized='table') }}

{#- One row per person (customer_key): the dated facts the lifecycle and engagement rules read.
    Signup is the earliest CRM signup; orders are qualifying orders; last activity is the latest
    qualifying order, web event or email open/click. Recent email counts cover the last
    var loyal_email_window_days days (age 0 to N). Everything is on or before as_of_date. -#}

with

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

orders as (

    select * from {{ ref('int_orders__attributed') }}
    where is_qualifying and ordered_at < {{ segwh.as_of_end_timestamp() }}

),

web_events as (

    select * from {{ ref('int_events__web_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

email_events as (

    select * from {{ ref('int_events__email_attributed') }}
    where customer_key is not null and occurred_at < {{ segwh.as_of_end_timestamp() }}

),

people as (

    select distinct customer_key
    from record_keys

),

signups as (

    select
        record_keys.customer_key,
        min(customers.signed_up_at) as signed_up_at
    from customers
    inner join record_keys
        on record_keys.source_table = 'customers'
        and customers.customer_id = record_keys.record_key
    group by record_keys.customer_key

),

order_facts as (

    select
        customer_key,
        count(*) as qualifying_orders,
        min(ordered_date) as first_order_date,
        max(ordered_date) as last_order_date
    from orders
    group by customer_key

),

web_facts as (

    select
        customer_key,
        max(event_date) as last_web_event_date
    from web_events
    group by customer_key

),

email_engagement_facts as (

    select
        customer_key,
        max(event_date) as last_email_engagement_date
    from email_events
    where event_type in ('open', 'click')
    group by customer_key

),

recent_deliveries as (

    select distinct
        customer_key,
        message_id
    from email_events
    where
        event_type = 'delivered'
        and {{ segwh.days_since('event_date') }}
        <= {{ var('loyal_email_window_days') }}

),

opened_messages as (

    select distinct
        customer_key,
        message_id
    from email_events
    where event_type = 'open'

),

recent_email_facts as (

    select
        recent_deliveries.customer_key,
        count(*) as recent_emails_delivered,
        count(opened_messages.message_id) as recent_emails_opened
    from recent_deliveries
    left join opened_messages
        on recent_deliveries.customer_key = opened_messages.customer_key
        and recent_deliveries.message_id = opened_messages.message_id
    group by recent_deliveries.customer_key

),

activity_dates as (

    select
        customer_key,
        last_order_date as activity_date
    from order_facts
    union all
    select
        customer_key,
        last_web_event_date as activity_date
    from web_facts
    union all
    select
        customer_key,
        last_email_engagement_date as activity_date
    from email_engagement_facts

),

last_activity as (

    select
        customer_key,
        max(activity_date) as last_activity_date
    from activity_dates
    group by customer_key

),

final as (

    select
        people.customer_key,
        cast(coalesce(order_facts.qualifying_orders, 0) as integer) as qualifying_orders,
        cast(coalesce(recent_email_facts.recent_emails_delivered, 0) as integer) as recent_emails_delivered,
        cast(coalesce(recent_email_facts.recent_emails_opened, 0) as integer) as recent_emails_opened,
        cast(signups.signed_up_at as date) as signup_date,
        order_facts.first_order_date,
        order_facts.last_order_date,
        web_facts.last_web_event_date,
        email_engagement_facts.last_email_engagement_date,
        last_activity.last_activity_date
    from people
    left join signups
        on people.customer_key = signups.customer_key
    left join order_facts
        on people.customer_key = order_facts.customer_key
    left join web_facts
        on people.customer_key = web_facts.customer_key
    left join email_engagement_facts
        on people.customer_key = email_engagement_facts.customer_key
    left join recent_email_facts
        on people.customer_key = recent_email_facts.customer_key
    left join last_activity
        on people.customer_key = last_activity.customer_key

)

select * from final

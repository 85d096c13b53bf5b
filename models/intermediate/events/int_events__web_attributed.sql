{#- One row per usable web event with the customer_key of the person behind it: the person of the
    event's customer id, else of its email, else of its device (an anonymous id that an identified
    event tied to a person). Null when nothing ties the event to a person (anonymous browsing, a
    shared kiosk). -#}

with

web_events as (

    select * from {{ ref('int_events__web_sessionized') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

final as (

    select
        web_events.event_id,
        coalesce(
            by_customer_id.customer_key,
            by_email.customer_key,
            by_anonymous_id.customer_key
        ) as customer_key,
        web_events.anonymous_id,
        web_events.customer_id,
        web_events.email,
        web_events.session_key,
        web_events.event_type,
        web_events.product_id,
        web_events.device_type,
        web_events.device_key,
        web_events.quantity,
        web_events.price,
        web_events.event_date,
        web_events.occurred_at
    from web_events
    left join node_keys as by_customer_id
        on by_customer_id.node_key = 'customer_id:' || web_events.customer_id
    left join node_keys as by_email
        on by_email.node_key = 'email:' || web_events.email
    left join node_keys as by_anonymous_id
        on by_anonymous_id.node_key = 'anonymous_id:' || web_events.anonymous_id

)

select * from final

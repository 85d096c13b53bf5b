{#- One row per usable email event with the customer_key of its recipient (the person of the
    email address, else of the ESP subscriber id). Null when the address links to no person. -#}

with

email_events as (

    select * from {{ ref('stg_esp__email_events') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

final as (

    select
        email_events.message_id,
        coalesce(by_email.customer_key, by_subscriber_id.customer_key) as customer_key,
        email_events.campaign_id,
        email_events.email,
        email_events.subscriber_id,
        email_events.event_type,
        email_events.bounce_type,
        cast(email_events.occurred_at as date) as event_date,
        email_events.occurred_at
    from email_events
    left join node_keys as by_email
        on by_email.node_key = 'email:' || email_events.email
    left join node_keys as by_subscriber_id
        on by_subscriber_id.node_key = 'subscriber_id:' || email_events.subscriber_id

)

select * from final

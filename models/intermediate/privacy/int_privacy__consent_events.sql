{#- One row per usable consent change with the customer_key of its person (by customer id, else
    by email) and the strength of its method (1 = double opt-in confirmed, strongest). -#}

with

consent_events as (

    select * from {{ ref('stg_consent__events') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

final as (

    select
        coalesce(by_customer_id.customer_key, by_email.customer_key) as customer_key,
        consent_events.channel,
        consent_events.purpose,
        consent_events.consent_status,
        consent_events.consent_method,
        case consent_events.consent_method
            when 'double_opt_in_confirmed' then 1
            when 'single_opt_in' then 2
            when 'imported' then 3
            when 'double_opt_in_pending' then 4
        end as method_strength,
        consent_events.consent_source,
        consent_events.email,
        consent_events.raw_row_number,
        consent_events.occurred_at
    from consent_events
    left join node_keys as by_customer_id
        on by_customer_id.node_key = 'customer_id:' || consent_events.customer_id
    left join node_keys as by_email
        on by_email.node_key = 'email:' || consent_events.email
    where coalesce(by_customer_id.customer_key, by_email.customer_key) is not null

)

select * from final

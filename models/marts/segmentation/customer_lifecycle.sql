{#- One row per person in the profile: the lifecycle stage as of as_of_date and the inputs that
    decided it. The first rule that matches wins: new, prospect, churned, dormant, loyal, active
    (thresholds are vars; see the README). -#}

with

activity as (

    select * from {{ ref('int_customers__activity') }}

),

measured as (

    select
        customer_key,
        qualifying_orders,
        recent_emails_delivered,
        recent_emails_opened,
        case
            when recent_emails_delivered > 0
                then cast(recent_emails_opened as {{ segwh.type_double() }}) / recent_emails_delivered
        end as recent_open_rate,
        {{ segwh.days_since('first_order_date') }} as days_since_first_order,
        {{ segwh.days_since('signup_date') }} as days_since_signup,
        {{ segwh.days_since('last_activity_date') }}
            as days_since_last_activity,
        signup_date,
        first_order_date,
        last_activity_date
    from activity

),

staged as (

    select
        measured.*,
        case
            when qualifying_orders > 0 and days_since_first_order < {{ var('new_customer_days') }} then 'new'
            when qualifying_orders = 0 and days_since_signup < {{ var('new_customer_days') }} then 'new'
            when qualifying_orders = 0 then 'prospect'
            when last_activity_date is null then 'churned'
            when days_since_last_activity >= {{ var('churned_days') }} then 'churned'
            when days_since_last_activity >= {{ var('dormant_days') }} then 'dormant'
            when qualifying_orders >= {{ var('loyal_min_orders') }} then 'loyal'
            when
                recent_emails_delivered >= {{ var('loyal_min_emails') }}
                and recent_emails_opened > {{ var('loyal_open_rate') }} * recent_emails_delivered
                then 'loyal'
            else 'active'
        end as lifecycle_stage
    from measured

),

final as (

    select
        customer_key,
        lifecycle_stage,
        cast(qualifying_orders as integer) as qualifying_orders,
        cast(recent_emails_delivered as integer) as recent_emails_delivered,
        cast(recent_emails_opened as integer) as recent_emails_opened,
        cast(recent_open_rate as decimal(6, 4)) as recent_open_rate,
        cast(days_since_first_order as integer) as days_since_first_order,
        cast(days_since_signup as integer) as days_since_signup,
        cast(days_since_last_activity as integer) as days_since_last_activity,
        signup_date,
        first_order_date,
        last_activity_date
    from staged

)

select * from final

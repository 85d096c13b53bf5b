{{ config(contract={'enforced': true}) }}

with

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

attributes as (

    select * from {{ ref('int_customers__survived_attributes') }}

),

orders as (

    select * from {{ ref('int_orders__attributed') }}

),

activity as (

    select * from {{ ref('int_customers__activity') }}

),

rfm as (

    select * from {{ ref('customer_rfm') }}

),

lifecycle as (

    select * from {{ ref('customer_lifecycle') }}

),

engagement as (

    select * from {{ ref('customer_engagement') }}

),

triggers as (

    select * from {{ ref('customer_triggers') }}

),

preferences as (

    select * from {{ ref('customer_preferences') }}

),

predictions as (

    select * from {{ ref('customer_predictions') }}

),

clusters as (

    select * from {{ ref('customer_clusters') }}

),

people as (

    select
        customer_key,
        count(distinct case when source_table = 'customers' then record_key end) as crm_records,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from record_keys
    group by customer_key

),

identifier_counts as (

    select
        customer_key,
        count(case when node_key not like 'record:%' then 1 end) as identifiers_count
    from node_keys
    group by customer_key

),

order_facts as (

    select
        customer_key,
        count(*) as qualifying_orders,
        sum(amount) as gross_revenue,
        sum(amount - net_revenue) as refunded_revenue,
        sum(net_revenue) as net_revenue,
        min(ordered_date) as first_order_date,
        max(ordered_date) as last_order_date
    from orders
    where is_qualifying
    group by customer_key

),

trigger_flags as (

    select
        customer_key,
        count(*) as active_triggers,
        max(case when trigger_type = 'abandoned_cart' then 1 else 0 end) as has_abandoned_cart,
        max(case when trigger_type = 'browse_abandonment' then 1 else 0 end) as has_browse_abandonment,
        max(case when trigger_type = 'high_value_browse' then 1 else 0 end) as has_high_value_browse,
        max(case when trigger_type = 'repeat_visitor' then 1 else 0 end) as is_repeat_visitor,
        sum(case when trigger_type = 'abandoned_cart' then payload_value end) as abandoned_cart_value
    from triggers
    group by customer_key

),

final as (

    select
        people.customer_key,
        attributes.first_name,
        attributes.last_name,
        attributes.email,
        attributes.phone_e164,
        attributes.gender,
        attributes.city,
        attributes.region,
        attributes.country_code,
        attributes.postal_code,
        attributes.language_code,
        attributes.name_source,
        attributes.email_source,
        attributes.phone_source,
        attributes.address_source,
        attributes.birth_date_source,
        attributes.gender_source,
        attributes.language_source,
        rfm.rfm_cell,
        rfm.rfm_segment,
        lifecycle.lifecycle_stage,
        engagement.engagement_level,
        preferences.top_category_by_revenue,
        preferences.top_category_by_views,
        preferences.preferred_device_type,
        preferences.preference_topics,
        preferences.preference_frequency,
        cast(coalesce(identifier_counts.identifiers_count, 0) as {{ dbt.type_bigint() }}) as identifiers_count,
        cast(people.crm_records as {{ dbt.type_bigint() }}) as crm_records,
        cast(coalesce(order_facts.qualifying_orders, 0) as {{ dbt.type_bigint() }}) as qualifying_orders,
        cast(coalesce(order_facts.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(order_facts.refunded_revenue, 0) as decimal(18, 2)) as refunded_revenue,
        cast(coalesce(order_facts.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(
            case when order_facts.qualifying_orders > 0 then order_facts.net_revenue / order_facts.qualifying_orders end
            as decimal(18, 2)
        ) as average_order_value,
        rfm.recency_days,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        lifecycle.days_since_last_activity,
        engagement.engagement_score,
        preferences.preferred_send_hour,
        predictions.p_alive,
        predictions.churn_probability,
        predictions.churn_risk,
        predictions.expected_purchases_90d,
        predictions.expected_order_value,
        predictions.predicted_clv_365d,
        predictions.clv_score,
        clusters.cluster_id,
        clusters.cluster_label,
        cast(coalesce(trigger_flags.active_triggers, 0) as integer) as active_triggers,
        cast(trigger_flags.abandoned_cart_value as decimal(18, 2)) as abandoned_cart_value,
        coalesce(trigger_flags.has_abandoned_cart, 0) = 1 as has_abandoned_cart,
        coalesce(trigger_flags.has_browse_abandonment, 0) = 1 as has_browse_abandonment,
        coalesce(trigger_flags.has_high_value_browse, 0) = 1 as has_high_value_browse,
        coalesce(trigger_flags.is_repeat_visitor, 0) = 1 as is_repeat_visitor,
        cast(attributes.birth_date_text as date) as birth_date,
        activity.signup_date,
        order_facts.first_order_date,
        order_facts.last_order_date,
        lifecycle.last_activity_date,
        people.first_seen_at,
        people.last_seen_at
    from people
    left join attributes
        on people.customer_key = attributes.customer_key
    left join identifier_counts
        on people.customer_key = identifier_counts.customer_key
    left join activity
        on people.customer_key = activity.customer_key
    left join rfm
        on people.customer_key = rfm.customer_key
    left join lifecycle
        on people.customer_key = lifecycle.customer_key
    left join engagement
        on people.customer_key = engagement.customer_key
    left join trigger_flags
        on people.customer_key = trigger_flags.customer_key
    left join preferences
        on people.customer_key = preferences.customer_key
    left join order_facts
        on people.customer_key = order_facts.customer_key
    left join predictions
        on people.customer_key = predictions.customer_key
    left join clusters
        on people.customer_key = clusters.customer_key

)

select * from final

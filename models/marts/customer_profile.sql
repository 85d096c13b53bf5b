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

customers as (

    select * from {{ ref('stg_crm__customers') }}

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
        sum(amount) as gross_revenue,
        sum(amount - net_revenue) as refunded_revenue,
        sum(net_revenue) as net_revenue,
        min(ordered_date) as first_order_date,
        max(ordered_date) as last_order_date
    from orders
    where is_qualifying
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
        cast(attributes.birth_date_text as date) as birth_date,
        cast(signups.signed_up_at as date) as signup_date,
        order_facts.first_order_date,
        order_facts.last_order_date,
        people.first_seen_at,
        people.last_seen_at
    from people
    left join attributes
        on people.customer_key = attributes.customer_key
    left join identifier_counts
        on people.customer_key = identifier_counts.customer_key
    left join signups
        on people.customer_key = signups.customer_key
    left join order_facts
        on people.customer_key = order_facts.customer_key

)

select * from final

{#- One row per (record, identifier): every identifier seen together with others in one
    trustworthy record. Web events and ESP events are reduced to their distinct identifier
    combinations first (a device logged in as a customer, an address with an ESP subscriber id). -#}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

web_events as (

    select * from {{ ref('stg_web__events') }}

),

email_events as (

    select * from {{ ref('stg_esp__email_events') }}

),

consent_events as (

    select * from {{ ref('stg_consent__events') }}

),

preferences as (

    select * from {{ ref('stg_esp__preferences') }}

),

crm_records as (

    select
        'crm' as source_system,
        'customers' as source_table,
        customer_id as record_key,
        customer_id,
        email,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as subscriber_id,
        coalesce(signed_up_at, updated_at) as observed_at,
        coalesce(updated_at, signed_up_at) as last_observed_at
    from customers

),

order_records as (

    select
        'order' as source_system,
        'orders' as source_table,
        order_id as record_key,
        customer_id,
        email,
        phone_e164,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as subscriber_id,
        ordered_at as observed_at,
        ordered_at as last_observed_at
    from orders

),

web_identities as (

    select
        anonymous_id,
        customer_id,
        email,
        min(occurred_at) as observed_at,
        max(occurred_at) as last_observed_at
    from web_events
    where customer_id is not null or email is not null
    group by anonymous_id, customer_id, email

),

web_records as (

    select
        'web' as source_system,
        'web_events' as source_table,
        {{ segwh.source_key(['anonymous_id', 'customer_id', 'email'], 'web_identities') }} as record_key,
        customer_id,
        email,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        anonymous_id,
        cast(null as {{ dbt.type_string() }}) as subscriber_id,
        observed_at,
        last_observed_at
    from web_identities

),

esp_identities as (

    select
        email,
        subscriber_id,
        min(occurred_at) as observed_at,
        max(occurred_at) as last_observed_at
    from email_events
    group by email, subscriber_id

),

esp_records as (

    select
        'esp' as source_system,
        'email_events' as source_table,
        {{ segwh.source_key(['email', 'subscriber_id'], 'esp_identities') }} as record_key,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        email,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        subscriber_id,
        observed_at,
        last_observed_at
    from esp_identities

),

consent_records as (

    select
        'consent' as source_system,
        'consent_events' as source_table,
        cast(raw_row_number as {{ dbt.type_string() }}) as record_key,
        customer_id,
        email,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as subscriber_id,
        occurred_at as observed_at,
        occurred_at as last_observed_at
    from consent_events

),

preference_records as (

    select
        'preference' as source_system,
        'preferences' as source_table,
        cast(raw_row_number as {{ dbt.type_string() }}) as record_key,
        customer_id,
        email,
        cast(null as {{ dbt.type_string() }}) as phone_e164,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as subscriber_id,
        updated_at as observed_at,
        updated_at as last_observed_at
    from preferences

),

all_records as (

    select * from crm_records
    union all
    select * from order_records
    union all
    select * from web_records
    union all
    select * from esp_records
    union all
    select * from consent_records
    union all
    select * from preference_records

),

{%- set identifier_columns = {
    'customer_id': 'customer_id',
    'email': 'email',
    'phone': 'phone_e164',
    'anonymous_id': 'anonymous_id',
    'subscriber_id': 'subscriber_id',
} %}

observations as (

    {% for identifier_type, column in identifier_columns.items() -%}
    select
        source_system,
        source_table,
        record_key,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        customer_id as record_customer_id,
        observed_at,
        last_observed_at
    from all_records
    where {{ column }} is not null
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

)

select * from observations

{#- One row per candidate value of a profile attribute group for a person, with its source, the
    source's rank in the var survivorship_source_priority and when it was observed. Groups keep
    values that belong together (first and last name; city, region, country and postal code).
    Refused identifiers (shared or junk emails and phones) are never candidates. -#}

{%- set priorities = var('survivorship_source_priority') -%}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

observations as (

    select * from {{ ref('int_identity__observations') }}

),

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}

),

crm as (

    select
        record_keys.customer_key,
        customers.*
    from customers
    inner join record_keys
        on record_keys.source_table = 'customers'
        and customers.customer_id = record_keys.record_key

),

crm_groups as (

    select
        customer_key,
        'name' as attribute_group,
        'crm' as source_system,
        first_name as value_1,
        last_name as value_2,
        cast(null as {{ dbt.type_string() }}) as value_3,
        cast(null as {{ dbt.type_string() }}) as value_4,
        coalesce(updated_at, signed_up_at) as observed_at
    from crm
    where first_name is not null or last_name is not null
    union all
    select
        customer_key,
        'address' as attribute_group,
        'crm' as source_system,
        city as value_1,
        region as value_2,
        country_code as value_3,
        postal_code as value_4,
        coalesce(updated_at, signed_up_at) as observed_at
    from crm
    where city is not null or region is not null or country_code is not null or postal_code is not null
    {%- set single_attributes = {
        'birth_date': 'cast(birth_date as ' ~ dbt.type_string() ~ ')',
        'gender': 'gender',
        'language': 'language_code',
    } %}
    {%- for attribute, column in single_attributes.items() %}
    union all
    select
        customer_key,
        '{{ attribute }}' as attribute_group,
        'crm' as source_system,
        {{ column }} as value_1,
        cast(null as {{ dbt.type_string() }}) as value_2,
        cast(null as {{ dbt.type_string() }}) as value_3,
        cast(null as {{ dbt.type_string() }}) as value_4,
        coalesce(updated_at, signed_up_at) as observed_at
    from crm
    where {{ column }} is not null
    {%- endfor %}

),

contact_groups as (

    select
        record_keys.customer_key,
        observations.identifier_type as attribute_group,
        observations.source_system,
        observations.identifier_value as value_1,
        cast(null as {{ dbt.type_string() }}) as value_2,
        cast(null as {{ dbt.type_string() }}) as value_3,
        cast(null as {{ dbt.type_string() }}) as value_4,
        observations.last_observed_at as observed_at
    from observations
    inner join identifiers
        on observations.identifier_type = identifiers.identifier_type
        and observations.identifier_value = identifiers.identifier_value
    inner join record_keys
        on observations.source_table = record_keys.source_table
        and observations.record_key = record_keys.record_key
    where identifiers.is_linkable and observations.identifier_type in ('email', 'phone')

),

all_candidates as (

    select * from crm_groups
    union all
    select * from contact_groups

),

final as (

    select
        customer_key,
        attribute_group,
        source_system,
        value_1,
        value_2,
        value_3,
        value_4,
        case source_system
            {%- for source in priorities %}
            when '{{ source }}' then {{ loop.index }}
            {%- endfor %}
            else {{ priorities | length + 1 }}
        end as source_rank,
        observed_at
    from all_candidates

)

select * from final

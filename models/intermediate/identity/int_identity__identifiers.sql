{#- One row per distinct identifier, with how widely it is shared and whether it may link
    records: blocklisted values and values shared by too many customer ids link nothing. -#}

-- depends_on: {{ ref('identity_blocklist') }}

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

per_identifier as (

    select
        identifier_type,
        identifier_value,
        count(distinct case
            when identifier_type <> 'customer_id' then record_customer_id
        end) as distinct_customer_ids,
        count(*) as records,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from observations
    group by identifier_type, identifier_value

),

checked as (

    select
        identifier_type,
        identifier_value,
        identifier_type || ':' || identifier_value as node_key,
        coalesce(
            {{ segwh.identity_blocklist_reason('identifier_type', 'identifier_value') }},
            case
                when distinct_customer_ids > {{ var('identity_max_customer_ids_per_identifier') }}
                    then 'shared_by_too_many_customer_ids'
            end
        ) as refusal_reason,
        distinct_customer_ids,
        records,
        first_seen_at,
        last_seen_at
    from per_identifier

),

final as (

    select
        identifier_type,
        identifier_value,
        node_key,
        refusal_reason,
        distinct_customer_ids,
        records,
        refusal_reason is null as is_linkable,
        first_seen_at,
        last_seen_at
    from checked

)

select * from final

with

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

final as (

    select
        node_keys.customer_key,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.records,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from identifiers
    inner join node_keys
        on identifiers.node_key = node_keys.node_key
    where identifiers.is_linkable

)

select * from final

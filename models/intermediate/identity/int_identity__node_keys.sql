{#- One row per node with its person's customer_key. The key is a salted hash of the component's
    anchor: its oldest node (earliest first seen; ties broken by the node's hash), so a person's
    key does not change while their oldest identifier stays theirs. When two people merge, the
    older anchor's key survives; when one splits, the part holding the anchor keeps the key. -#}

with

components as (

    select * from {{ ref('int_identity__components') }}

),

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

record_node_first_seen as (

    select
        node_key,
        min(observed_at) as first_seen_at
    from record_nodes
    where node_key like 'record:%'
    group by node_key

),

nodes as (

    select
        components.node as node_key,
        components.component_id,
        coalesce(identifiers.first_seen_at, record_node_first_seen.first_seen_at) as first_seen_at,
        {{ segwh.sha256_hex('components.node') }} as node_hash
    from components
    left join identifiers
        on components.node = identifiers.node_key
    left join record_node_first_seen
        on components.node = record_node_first_seen.node_key

),

ranked as (

    select
        node_key,
        component_id,
        node_hash,
        first_value(node_key) over (
            partition by component_id
            order by first_seen_at asc nulls last, node_hash asc
            rows between unbounded preceding and unbounded following
        ) as anchor_node,
        first_seen_at
    from nodes

),

final as (

    select
        node_key,
        substr({{ segwh.sha256_hex("'" ~ var('customer_key_salt') ~ ":' || anchor_node") }}, 1, 16) as customer_key,
        anchor_node,
        node_hash,
        component_id,
        first_seen_at
    from ranked

)

select * from final

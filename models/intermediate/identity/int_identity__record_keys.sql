{#- One row per source record (source_table, record_key) with the customer_key of its person. -#}

with

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

records as (

    select
        source_system,
        source_table,
        record_key,
        hub_node,
        min(observed_at) as first_seen_at,
        max(last_observed_at) as last_seen_at
    from record_nodes
    group by source_system, source_table, record_key, hub_node

),

final as (

    select
        records.source_system,
        records.source_table,
        records.record_key,
        node_keys.customer_key,
        records.first_seen_at,
        records.last_seen_at
    from records
    inner join node_keys
        on records.hub_node = node_keys.node_key

)

select * from final

{#- One row per (record, node): the linkable identifiers of each record; a record with none keeps
    a node of its own ('record:<table>:<key>') so it still becomes a person. `hub_node` is the
    record's smallest node; linking every node of a record to its hub links them all. The hub is
    an aggregate per record joined back (a window over the record was twice as slow at 1M). -#}

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

observed_nodes as (

    select
        observations.source_system,
        observations.source_table,
        observations.record_key,
        case when identifiers.is_linkable then identifiers.node_key end as node_key,
        observations.observed_at,
        observations.last_observed_at
    from observations
    inner join identifiers
        on observations.identifier_type = identifiers.identifier_type
        and observations.identifier_value = identifiers.identifier_value

),

records as (

    select
        source_system,
        source_table,
        record_key,
        min(node_key) as hub_node,
        min(observed_at) as observed_at,
        max(last_observed_at) as last_observed_at
    from observed_nodes
    group by source_system, source_table, record_key

),

linked_nodes as (

    select
        observed_nodes.source_system,
        observed_nodes.source_table,
        observed_nodes.record_key,
        observed_nodes.node_key,
        records.hub_node,
        observed_nodes.observed_at,
        observed_nodes.last_observed_at
    from observed_nodes
    inner join records
        on observed_nodes.source_table = records.source_table
        and observed_nodes.record_key = records.record_key
    where observed_nodes.node_key is not null

),

orphan_records as (

    select
        source_system,
        source_table,
        record_key,
        'record:' || source_table || ':' || record_key as node_key,
        'record:' || source_table || ':' || record_key as hub_node,
        observed_at,
        last_observed_at
    from records
    where hub_node is null

),

final as (

    select * from linked_nodes
    union all
    select * from orphan_records

)

select * from final

{#- One row per (record, node): the linkable identifiers of each record; a record with none keeps
    a node of its own ('record:<table>:<key>') so it still becomes a person. `hub_node` is the
    record's smallest node; linking every node of a record to its hub links them all. -#}

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

linkable_observations as (

    select
        observations.source_system,
        observations.source_table,
        observations.record_key,
        identifiers.node_key,
        observations.observed_at,
        observations.last_observed_at
    from observations
    inner join identifiers
        on observations.identifier_type = identifiers.identifier_type
        and observations.identifier_value = identifiers.identifier_value
    where identifiers.is_linkable

),

records as (

    select
        source_system,
        source_table,
        record_key,
        min(observed_at) as observed_at,
        max(last_observed_at) as last_observed_at
    from observations
    group by source_system, source_table, record_key

),

orphan_records as (

    select
        records.source_system,
        records.source_table,
        records.record_key,
        'record:' || records.source_table || ':' || records.record_key as node_key,
        records.observed_at,
        records.last_observed_at
    from records
    left join linkable_observations
        on records.source_table = linkable_observations.source_table
        and records.record_key = linkable_observations.record_key
    where linkable_observations.record_key is null

),

record_nodes as (

    select * from linkable_observations
    union all
    select * from orphan_records

),

final as (

    select
        source_system,
        source_table,
        record_key,
        node_key,
        min(node_key) over (partition by source_table, record_key) as hub_node,
        observed_at,
        last_observed_at
    from record_nodes

)

select * from final

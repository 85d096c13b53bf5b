{#- Identity health for BI, one row per (metric_group, metric_label):
      component_size     persons by number of nodes (identifiers) in their component
      refused_identifier identifiers refused by each guard rail, and the records they appeared on
      largest_component  the 20 largest persons with their identifiers
      bridge_identifier  identifiers that alone join customer ids that share nothing else -#}

with

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

observations as (

    select * from {{ ref('int_identity__observations') }}

),

component_sizes as (

    select
        customer_key,
        count(*) as nodes
    from node_keys
    group by customer_key

),

size_distribution as (

    select
        'component_size' as metric_group,
        case
            when nodes >= 10 then '10+'
            when nodes >= 5 then '5-9'
            else cast(nodes as {{ dbt.type_string() }})
        end as metric_label,
        count(*) as metric_value,
        cast(null as {{ dbt.type_string() }}) as detail
    from component_sizes
    group by
        case
            when nodes >= 10 then '10+'
            when nodes >= 5 then '5-9'
            else cast(nodes as {{ dbt.type_string() }})
        end

),

refusals as (

    select
        'refused_identifier' as metric_group,
        identifier_type || ': ' || refusal_reason as metric_label,
        count(*) as metric_value,
        cast(sum(records) as {{ dbt.type_string() }}) || ' records not linked' as detail
    from identifiers
    where not is_linkable
    group by identifier_type || ': ' || refusal_reason

),

largest as (

    select
        customer_key,
        nodes,
        row_number() over (order by nodes desc, customer_key asc) as size_rank
    from component_sizes

),

largest_components as (

    select
        'largest_component' as metric_group,
        largest.customer_key as metric_label,
        max(largest.nodes) as metric_value,
        {{ segwh.string_agg_sorted('node_keys.node_key', ', ') }} as detail
    from largest
    inner join node_keys
        on largest.customer_key = node_keys.customer_key
    where largest.size_rank <= 20
    group by largest.customer_key

),

customer_id_identifiers as (

    select distinct
        observations.record_customer_id as customer_id,
        identifiers.node_key
    from observations
    inner join identifiers
        on observations.identifier_type = identifiers.identifier_type
        and observations.identifier_value = identifiers.identifier_value
    where
        identifiers.is_linkable
        and observations.identifier_type <> 'customer_id'
        and observations.record_customer_id is not null

),

customer_id_pairs as (

    select
        left_side.customer_id as customer_id_a,
        right_side.customer_id as customer_id_b,
        left_side.node_key
    from customer_id_identifiers as left_side
    inner join customer_id_identifiers as right_side
        on left_side.node_key = right_side.node_key
        and left_side.customer_id < right_side.customer_id

),

pair_links as (

    select
        customer_id_a,
        customer_id_b,
        count(*) as shared_identifiers,
        min(node_key) as only_identifier
    from customer_id_pairs
    group by customer_id_a, customer_id_b

),

bridges as (

    select
        'bridge_identifier' as metric_group,
        pair_links.only_identifier as metric_label,
        count(*) as metric_value,
        max(node_keys.customer_key) as detail
    from pair_links
    inner join node_keys
        on pair_links.only_identifier = node_keys.node_key
    where pair_links.shared_identifiers = 1
    group by pair_links.only_identifier

),

final as (

    select * from size_distribution
    union all
    select * from refusals
    union all
    select * from largest_components
    union all
    select * from bridges

)

select
    metric_group,
    metric_label,
    cast(metric_value as {{ dbt.type_bigint() }}) as metric_value,
    detail
from final

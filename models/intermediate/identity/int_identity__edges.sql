{#- One row per link between two nodes (node_a < node_b), or a node linked to itself so that
    isolated nodes exist: each record's nodes linked to its hub, plus fuzzy duplicate pairs when
    the var identity_fuzzy_promote_min_score is set. -#}

with

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

fuzzy_pairs as (

    select * from {{ ref('int_identity__fuzzy_pairs') }}

),

record_links as (

    select distinct
        hub_node as node_a,
        node_key as node_b
    from record_nodes

),

promoted_links as (

    select
        'customer_id:' || customer_id_a as node_a,
        'customer_id:' || customer_id_b as node_b
    from fuzzy_pairs
    {%- if var('identity_fuzzy_promote_min_score') is none %}
    where 1 = 0
    {%- else %}
    where match_score >= {{ var('identity_fuzzy_promote_min_score') }}
    {%- endif %}

),

final as (

    select * from record_links
    union
    select * from promoted_links

)

select * from final

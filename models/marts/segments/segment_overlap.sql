{#- One row per pair of segments (segment_a < segment_b): members they share and the Jaccard index
    (shared / members of either), as of as_of_date. -#}

with

membership as (

    select * from {{ ref('segment_membership') }}

),

catalogue as (

    select * from {{ ref('segments') }}

),

pairs as (

    select
        first_segment.segment_name as segment_a,
        second_segment.segment_name as segment_b,
        first_segment.member_count as members_a,
        second_segment.member_count as members_b
    from catalogue as first_segment
    inner join catalogue as second_segment
        on first_segment.segment_name < second_segment.segment_name

),

shared as (

    select
        first_membership.segment_name as segment_a,
        second_membership.segment_name as segment_b,
        count(*) as shared_members
    from membership as first_membership
    inner join membership as second_membership
        on first_membership.customer_key = second_membership.customer_key
        and first_membership.segment_name < second_membership.segment_name
    group by first_membership.segment_name, second_membership.segment_name

),

with_union as (

    select
        pairs.segment_a,
        pairs.segment_b,
        pairs.members_a,
        pairs.members_b,
        coalesce(shared.shared_members, 0) as shared_members,
        pairs.members_a + pairs.members_b - coalesce(shared.shared_members, 0) as union_members
    from pairs
    left join shared
        on pairs.segment_a = shared.segment_a
        and pairs.segment_b = shared.segment_b

),

final as (

    select
        segment_a,
        segment_b,
        members_a,
        members_b,
        cast(shared_members as {{ dbt.type_bigint() }}) as shared_members,
        cast(
            case
                when union_members > 0 then cast(shared_members as {{ segwh.type_double() }}) / union_members
                else 0
            end as decimal(9, 6)
        ) as jaccard_index
    from with_union

)

select * from final

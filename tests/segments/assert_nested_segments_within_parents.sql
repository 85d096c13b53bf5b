-- Rule: a nested segment is always a subset of its parent: every member of a segment with a
-- parent is also a member of the parent. Returns each member missing from the parent.

with

membership as (

    select * from {{ ref('segment_membership') }}

),

definitions as (

    select * from {{ ref('int_segments__definitions') }}

),

child_members as (

    select
        membership.customer_key,
        membership.segment_name,
        definitions.parent_segment
    from membership
    inner join definitions
        on membership.segment_name = definitions.segment_name
    where definitions.parent_segment is not null

)

select child_members.*
from child_members
left join membership as parent_membership
    on child_members.customer_key = parent_membership.customer_key
    and child_members.parent_segment = parent_membership.segment_name
where parent_membership.customer_key is null

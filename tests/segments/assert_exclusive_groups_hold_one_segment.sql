-- Rule: within a mutually exclusive group a person is in at most one segment.
-- Returns each (person, group) held by more than one segment.

with

membership as (

    select * from {{ ref('segment_membership') }}

),

definitions as (

    select * from {{ ref('int_segments__definitions') }}

)

select
    membership.customer_key,
    definitions.exclusive_group,
    count(*) as segments_held
from membership
inner join definitions
    on membership.segment_name = definitions.segment_name
where definitions.exclusive_group is not null
group by membership.customer_key, definitions.exclusive_group
having count(*) > 1

{#- One row per (customer_key, segment_name) held out of a segment's campaigns as a control group:
    a deterministic share (holdout_percent) of the members, chosen by a hash of segment name and
    customer_key, so the same person stays in (or out of) the holdout on every build. -#}

with

membership as (

    select * from {{ ref('segment_membership') }}

),

definitions as (

    select * from {{ ref('int_segments__definitions') }}

),

final as (

    select
        membership.customer_key,
        membership.segment_name,
        definitions.holdout_percent,
        membership.entered_on
    from membership
    inner join definitions
        on membership.segment_name = definitions.segment_name
    where membership.is_holdout

)

select * from final

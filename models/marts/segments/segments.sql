{#- One row per segment: the catalogue BI and marketers browse. Definition texts from
    segments.yml, member counts as of as_of_date (holdouts included in member_count and listed in
    holdout_count) and the share of all customers. share_of_emailable_customers stays empty until
    consent is modelled. -#}

with

definitions as (

    select * from {{ ref('int_segments__definitions') }}

),

membership as (

    select * from {{ ref('segment_membership') }}

),

profile as (

    select * from {{ ref('customer_profile') }}

),

counts as (

    select
        segment_name,
        count(*) as member_count,
        sum(case when is_holdout then 1 else 0 end) as holdout_count
    from membership
    group by segment_name

),

customers as (

    select count(*) as customer_count
    from profile

),

final as (

    select
        definitions.segment_name,
        definitions.segment_description,
        definitions.segment_owner,
        definitions.tags,
        definitions.parent_segment,
        definitions.segment_path,
        definitions.exclusive_group,
        definitions.rule_text,
        definitions.definition_hash,
        definitions.nesting_depth,
        definitions.group_priority,
        definitions.holdout_percent,
        cast(coalesce(counts.member_count, 0) as {{ dbt.type_bigint() }}) as member_count,
        cast(coalesce(counts.holdout_count, 0) as {{ dbt.type_bigint() }}) as holdout_count,
        cast(
            case
                when customers.customer_count > 0
                    then cast(coalesce(counts.member_count, 0) as {{ segwh.type_double() }}) / customers.customer_count
            end as decimal(9, 6)
        ) as share_of_customers,
        cast(null as decimal(9, 6)) as share_of_emailable_customers
    from definitions
    cross join customers
    left join counts
        on definitions.segment_name = counts.segment_name

)

select * from final

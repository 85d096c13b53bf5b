{#- One row per segment: the catalogue BI and marketers browse. Definition texts from
    segments.yml, member counts as of as_of_date (holdouts included in member_count and listed in
    holdout_count) and the share of all customers; emailable_member_count counts the members in
    the ESP audience (activation.esp_audience: consented, not suppressed) and
    share_of_emailable_customers divides it by the audience size. -#}

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

audience as (

    select * from {{ ref('esp_audience') }}

),

emailable_counts as (

    select
        membership.segment_name,
        count(*) as emailable_member_count
    from membership
    inner join audience
        on membership.customer_key = audience.customer_key
    group by membership.segment_name

),

emailable as (

    select count(*) as emailable_count
    from audience

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
        cast(coalesce(emailable_counts.emailable_member_count, 0) as {{ dbt.type_bigint() }}) as emailable_member_count,
        cast(
            case
                when emailable.emailable_count > 0
                    then
                        cast(coalesce(emailable_counts.emailable_member_count, 0) as {{ segwh.type_double() }})
                        / emailable.emailable_count
            end as decimal(9, 6)
        ) as share_of_emailable_customers
    from definitions
    cross join customers
    cross join emailable
    left join counts
        on definitions.segment_name = counts.segment_name
    left join emailable_counts
        on definitions.segment_name = emailable_counts.segment_name

)

select * from final

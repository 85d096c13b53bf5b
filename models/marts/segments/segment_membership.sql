{#- One row per (customer_key, segment_name) as of as_of_date: the segment's path (nesting, for
    example high_value/recent_high_value), whether the person is in the segment's holdout (control)
    group, and the build date they entered it (the start of their current spell). -#}

with

members as (

    select * from {{ ref('int_segments__rule_members') }}

),

definitions as (

    select * from {{ ref('int_segments__definitions') }}

),

membership_log as (

    select * from {{ ref('segment_membership_log') }}
    where as_of_date <= {{ segwh.as_of_date() }}

),

latest_entries as (

    select
        customer_key,
        segment_name,
        max(as_of_date) as entered_on
    from membership_log
    where change_type = 'entered'
    group by customer_key, segment_name

),

final as (

    select
        members.customer_key,
        members.segment_name,
        definitions.segment_path,
        coalesce(
            substr({{ segwh.sha256_hex("members.segment_name || ':' || members.customer_key") }}, 1, 4)
            < definitions.holdout_threshold,
            false
        ) as is_holdout,
        latest_entries.entered_on
    from members
    inner join definitions
        on members.segment_name = definitions.segment_name
    left join latest_entries
        on members.customer_key = latest_entries.customer_key
        and members.segment_name = latest_entries.segment_name

)

select * from final

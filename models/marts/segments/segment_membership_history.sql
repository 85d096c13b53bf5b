{#- One row per spell of a person in a segment: valid_from is the build date they entered,
    valid_to the build date they left (null while they are still in it). -#}

with

membership_log as (

    select * from {{ ref('segment_membership_log') }}
    where as_of_date <= {{ segwh.as_of_date() }}

),

ordered as (

    select
        customer_key,
        segment_name,
        change_type,
        as_of_date,
        lead(as_of_date) over (partition by customer_key, segment_name order by as_of_date) as next_change_date
    from membership_log

),

final as (

    select
        customer_key,
        segment_name,
        as_of_date as valid_from,
        next_change_date as valid_to,
        next_change_date is null as is_current
    from ordered
    where change_type = 'entered'

)

select * from final

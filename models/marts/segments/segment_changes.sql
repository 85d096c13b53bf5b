{#- One row per person who entered or left a segment at the latest build (as_of_date) compared with
    the build before it (at the first build, everyone enters). -#}

with

membership_log as (

    select * from {{ ref('segment_membership_log') }}

),

final as (

    select
        customer_key,
        segment_name,
        change_type,
        as_of_date as changed_on
    from membership_log
    where as_of_date = {{ segwh.as_of_date() }}

)

select * from final

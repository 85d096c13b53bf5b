{#- One row per build (as_of_date), segment, mix dimension (rfm_segment, lifecycle_stage) and
    category: how many members of the segment fall in it. The input of segment_drift; kept by
    date like segment_membership_log. -#}

{{ config(**segwh.incremental_event_config('as_of_date')) }}
{#- history: a full refresh keeps it (only moving as_of_date backwards drops later builds) -#}
{{ config(full_refresh=false) }}
{{ config(pre_hook="{{ segwh.clear_incremental_window(this, segwh.history_window_start(), 'as_of_date') }}") }}

with

members as (

    select * from {{ ref('int_segments__rule_members') }}

),

profile as (

    select * from {{ ref('customer_profile') }}

),

member_profiles as (

    select
        members.segment_name,
        coalesce(profile.rfm_segment, 'no_orders') as rfm_segment,
        profile.lifecycle_stage
    from members
    inner join profile
        on members.customer_key = profile.customer_key

),

mixes as (

    select
        segment_name,
        'rfm_segment' as mix_dimension,
        rfm_segment as category,
        count(*) as members
    from member_profiles
    group by segment_name, rfm_segment
    union all
    select
        segment_name,
        'lifecycle_stage' as mix_dimension,
        lifecycle_stage as category,
        count(*) as members
    from member_profiles
    group by segment_name, lifecycle_stage

),

final as (

    select
        segment_name,
        mix_dimension,
        category,
        cast(members as {{ dbt.type_bigint() }}) as members,
        {{ segwh.as_of_date() }} as as_of_date
    from mixes

)

select * from final

{#- One row per change of segment membership: a person entering or leaving a segment at a build
    (as_of_date). Append-only history kept by date: rebuilding a day replaces its rows, building an
    earlier day drops the later ones, so the log always describes the builds up to as_of_date.
    Valid-from/valid-to spells are in segment_membership_history. -#}

{{ config(**segwh.incremental_event_config('as_of_date')) }}
{#- history: a full refresh keeps it (only moving as_of_date backwards drops later builds) -#}
{{ config(full_refresh=false) }}
{{ config(pre_hook="{{ segwh.clear_incremental_window(this, segwh.history_window_start(), 'as_of_date') }}") }}

with

current_members as (

    select
        customer_key,
        segment_name
    from {{ ref('int_segments__rule_members') }}

),

{% if is_incremental() %}
logged_changes as (

    select
        customer_key,
        segment_name,
        change_type,
        row_number() over (
            partition by customer_key, segment_name
            order by as_of_date desc
        ) as change_recency
    from {{ this }}
    where as_of_date < {{ segwh.as_of_date() }}

),

previous_members as (

    select
        customer_key,
        segment_name
    from logged_changes
    where change_recency = 1 and change_type = 'entered'

),
{% else %}
previous_members as (

    select
        customer_key,
        segment_name
    from current_members
    where 1 = 0

),
{% endif %}

entered as (

    select
        current_members.customer_key,
        current_members.segment_name,
        'entered' as change_type
    from current_members
    left join previous_members
        on current_members.customer_key = previous_members.customer_key
        and current_members.segment_name = previous_members.segment_name
    where previous_members.customer_key is null

),

exited as (

    select
        previous_members.customer_key,
        previous_members.segment_name,
        'left' as change_type
    from previous_members
    left join current_members
        on previous_members.customer_key = current_members.customer_key
        and previous_members.segment_name = current_members.segment_name
    where current_members.customer_key is null

),

final as (

    select
        customer_key,
        segment_name,
        change_type,
        {{ segwh.as_of_date() }} as as_of_date
    from entered
    union all
    select
        customer_key,
        segment_name,
        change_type,
        {{ segwh.as_of_date() }} as as_of_date
    from exited

)

select * from final

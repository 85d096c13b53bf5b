{#- One row per person and build (as_of_date) at which their lifecycle stage differs from the
    stage logged at their previous build (the first build logs everyone). Append-only history kept
    by date like segment_membership_log. -#}

{{ config(**segwh.incremental_event_config('as_of_date')) }}
{#- history: a full refresh keeps it (only moving as_of_date backwards drops later builds) -#}
{{ config(full_refresh=false) }}
{{ config(pre_hook="{{ segwh.clear_incremental_window(this, segwh.history_window_start(), 'as_of_date') }}") }}

with

lifecycle as (

    select
        customer_key,
        lifecycle_stage
    from {{ ref('customer_lifecycle') }}

),

{% if is_incremental() %}
logged_stages as (

    select
        customer_key,
        lifecycle_stage,
        row_number() over (partition by customer_key order by as_of_date desc) as stage_recency
    from {{ this }}
    where as_of_date < {{ segwh.as_of_date() }}

),

previous_stages as (

    select
        customer_key,
        lifecycle_stage
    from logged_stages
    where stage_recency = 1

),
{% else %}
previous_stages as (

    select
        customer_key,
        lifecycle_stage
    from lifecycle
    where 1 = 0

),
{% endif %}

final as (

    select
        lifecycle.customer_key,
        lifecycle.lifecycle_stage,
        previous_stages.lifecycle_stage as previous_stage,
        {{ segwh.as_of_date() }} as as_of_date
    from lifecycle
    left join previous_stages
        on lifecycle.customer_key = previous_stages.customer_key
    where previous_stages.lifecycle_stage is null or previous_stages.lifecycle_stage <> lifecycle.lifecycle_stage

)

select * from final

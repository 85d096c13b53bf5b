{#- One row per web session (see int_events__web_sessionized): when it started and ended, its
    device type, and the person of its earliest attributed event (null for anonymous sessions),
    each taken from the session's first event by (occurred_at, event_id) in one aggregation
    (segwh.first_by).
    Incremental on every engine (segwh.web_sessions_window): a run recomputes the sessions with an
    event attributed since its last run. -#}

{%- set window = segwh.web_sessions_window(this) %}
{{ config(**segwh.attribution_config('session_key', 'started_month', 'delete+insert')) }}
{{ config(
    pre_hook="{{ segwh.start_incremental_run(this, (segwh.web_sessions_window(this) or {}).get('start'), 'ended_date', 'started_month') }}",
    post_hook="{{ segwh.complete_incremental_run(this) }}",
) }}

with

web_events as (

    select * from {{ ref('int_events__web_attributed') }}
    {%- if window %}
    where session_key in (
        select session_key from {{ ref('int_events__web_attributed') }}
        where
            attributed_at > cast('{{ window.since }}' as {{ dbt.type_timestamp() }})
            {%- if target.type == 'spark' %}
            or event_date >= cast('{{ window.start }}' as date)
            {%- endif %}
    )
    {%- endif %}

),

per_session as (

    select
        session_key,
        {{ segwh.first_by('customer_key', ['occurred_at', 'event_id'], 'customer_key is not null') }} as customer_key,
        {{ segwh.first_by('device_key', ['occurred_at', 'event_id']) }} as device_key,
        {{ segwh.first_by('device_type', ['occurred_at', 'event_id']) }} as device_type,
        count(*) as events,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at
    from web_events
    group by session_key

),

final as (

    select
        session_key,
        customer_key,
        device_key,
        device_type,
        events,
        cast(started_at as date) as started_date,
        cast({{ dbt.date_trunc('month', 'started_at') }} as date) as started_month,
        started_at,
        cast(ended_at as date) as ended_date,
        ended_at
    from per_session

)

select * from final
{%- if window and target.type == 'spark' %}
where started_date >= cast('{{ window.start }}' as date)
{%- endif %}

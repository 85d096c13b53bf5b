{#- One row per web session (see int_events__web_sessionized): when it started and ended, its
    device type, and the person of its earliest attributed event (null for anonymous sessions).
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

first_attributed_event as (

    select
        session_key,
        customer_key,
        row_number() over (
            partition by session_key
            order by occurred_at, event_id
        ) as attributed_event_number
    from web_events
    where customer_key is not null

),

first_event as (

    select
        session_key,
        device_key,
        device_type,
        row_number() over (
            partition by session_key
            order by occurred_at, event_id
        ) as event_number
    from web_events

),

per_session as (

    select
        session_key,
        count(*) as events,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at
    from web_events
    group by session_key

),

final as (

    select
        per_session.session_key,
        first_attributed_event.customer_key,
        first_event.device_key,
        first_event.device_type,
        per_session.events,
        cast(per_session.started_at as date) as started_date,
        cast({{ dbt.date_trunc('month', 'per_session.started_at') }} as date) as started_month,
        per_session.started_at,
        cast(per_session.ended_at as date) as ended_date,
        per_session.ended_at
    from per_session
    inner join first_event
        on per_session.session_key = first_event.session_key
        and first_event.event_number = 1
    left join first_attributed_event
        on per_session.session_key = first_attributed_event.session_key
        and first_attributed_event.attributed_event_number = 1

)

select * from final
{%- if window and target.type == 'spark' %}
where started_date >= cast('{{ window.start }}' as date)
{%- endif %}

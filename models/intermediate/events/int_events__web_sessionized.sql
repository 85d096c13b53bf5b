{#- One row per usable web event with the session it belongs to. A session is the event's own
    session id; events without one are grouped per device (anonymous id, else customer id, else
    email) and a new session starts after var session_timeout_minutes without events. The session
    key is 'S:' and the session id, or 'D:' and the id of the session's first event.
    Incremental on every engine: a run recomputes the days from segwh.event_model_window (the
    windows base_web__events recomputed since this model's last run, rows after as_of_date) and
    reads one more day before them so sessions that began the evening before keep their key. -#}

{%- set window_start = segwh.web_sessionized_window(this) %}
{{ config(**segwh.incremental_event_config('event_month')) }}
{{ config(
    pre_hook="{{ segwh.start_incremental_run(this, segwh.web_sessionized_window(this), 'event_date', 'event_month') }}",
    post_hook="{{ segwh.complete_incremental_run(this) }}",
) }}

with

web_events as (

    select * from {{ ref('stg_web__events') }}
    {%- if window_start is not none %}
    where occurred_at >= {{ dbt.dateadd('day', -1, "cast('" ~ window_start ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif %}

),

with_device as (

    select
        web_events.*,
        coalesce(
            'A:' || anonymous_id,
            'C:' || customer_id,
            'E:' || email
        ) as device_key
    from web_events

),

without_session_id as (

    select
        with_device.*,
        lag(occurred_at) over (
            partition by device_key
            order by occurred_at, event_id
        ) as previous_occurred_at
    from with_device
    where session_id is null

),

session_starts as (

    select
        without_session_id.*,
        case
            when previous_occurred_at is null then 1
            when
                occurred_at > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_occurred_at') }}
                then 1
            else 0
        end as is_session_start
    from without_session_id

),

numbered as (

    select
        session_starts.*,
        sum(is_session_start) over (
            partition by device_key
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as device_session_number
    from session_starts

),

inferred_sessions as (

    select
        numbered.*,
        'D:' || first_value(event_id) over (
            partition by device_key, device_session_number
            order by occurred_at, event_id
            rows between unbounded preceding and unbounded following
        ) as session_key
    from numbered

),

all_events as (

    select
        event_id,
        anonymous_id,
        customer_id,
        email,
        'S:' || session_id as session_key,
        event_type,
        product_id,
        device_type,
        device_key,
        quantity,
        price,
        occurred_at,
        received_at
    from with_device
    where session_id is not null
    union all
    select
        event_id,
        anonymous_id,
        customer_id,
        email,
        session_key,
        event_type,
        product_id,
        device_type,
        device_key,
        quantity,
        price,
        occurred_at,
        received_at
    from inferred_sessions

),

final as (

    select
        event_id,
        anonymous_id,
        customer_id,
        email,
        session_key,
        event_type,
        product_id,
        device_type,
        device_key,
        quantity,
        price,
        occurred_at,
        received_at,
        coalesce(received_at, occurred_at) as arrived_at,
        cast(occurred_at as date) as event_date,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as event_month
    from all_events

)

select * from final
{%- if window_start is not none %}
where event_date >= cast('{{ window_start }}' as date)
{%- endif %}

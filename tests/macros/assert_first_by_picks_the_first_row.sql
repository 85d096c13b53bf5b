-- Rule: segwh.first_by returns the value of the group's first row by its ordering columns, the
-- same on every engine: ties on the first column go to the second, a null value on the first
-- row is returned as null, and a condition skips the rows it rejects. Returns each check that
-- fails.

with

session_events as (

    select
        's1' as session_key,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        cast('2026-03-01 10:00:00' as {{ dbt.type_timestamp() }}) as occurred_at,
        'e2' as event_id
    union all
    select
        's1' as session_key,
        'k9' as customer_key,
        cast('2026-03-01 10:00:00' as {{ dbt.type_timestamp() }}) as occurred_at,
        'e3' as event_id
    union all
    select
        's1' as session_key,
        'k1' as customer_key,
        cast('2026-03-01 10:05:00' as {{ dbt.type_timestamp() }}) as occurred_at,
        'e1' as event_id
    union all
    select
        's2' as session_key,
        'k8' as customer_key,
        cast('2026-03-02 09:00:00' as {{ dbt.type_timestamp() }}) as occurred_at,
        'e5' as event_id
    union all
    select
        's2' as session_key,
        'k2' as customer_key,
        cast('2026-03-02 09:00:00' as {{ dbt.type_timestamp() }}) as occurred_at,
        'e4' as event_id

),

firsts as (

    select
        session_key,
        {{ segwh.first_by('customer_key', ['occurred_at', 'event_id']) }} as first_customer_key,
        {{ segwh.first_by('customer_key', ['occurred_at', 'event_id'], 'customer_key is not null') }}
            as first_known_customer_key,
        {{ segwh.first_by('event_id', ['occurred_at', 'event_id']) }} as first_event_id
    from session_events
    group by session_key

),

failures as (

    select 's1: null value on the first row' as failed_check
    from firsts
    where session_key = 's1' and first_customer_key is not null
    union all
    select 's1: the condition skips the first row, the tie goes to the lower event id' as failed_check
    from firsts
    where session_key = 's1' and (first_known_customer_key is null or first_known_customer_key <> 'k9')
    union all
    select 's1: first event id' as failed_check
    from firsts
    where session_key = 's1' and (first_event_id is null or first_event_id <> 'e2')
    union all
    select 's2: tie on the time goes to the lower event id' as failed_check
    from firsts
    where session_key = 's2' and (first_customer_key is null or first_customer_key <> 'k2')
    union all
    select 'both sessions aggregated' as failed_check
    from (select count(*) as sessions from firsts) as counted
    where sessions <> 2

)

select * from failures

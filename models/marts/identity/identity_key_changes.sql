{#- Merges and splits seen by the latest build: one row per (previous key, new key). A merge: the
    previous key no longer exists and its identifiers joined a key that already existed. A split:
    the previous key still exists but some of its identifiers now form another person. A rekey:
    the previous key vanished and the new one is new (the anchor identifier left). -#}

with

history as (

    select * from {{ ref('int_identity__key_history') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

this_run as (

    select * from history
    where invocation_id = '{{ invocation_id }}' and previous_customer_key is not null

),

current_keys as (

    select distinct customer_key from node_keys

),

earlier_keys as (

    select distinct customer_key from history
    where invocation_id <> '{{ invocation_id }}'

),

moves as (

    select
        previous_customer_key,
        customer_key,
        count(*) as nodes_moved,
        min(as_of_date) as as_of_date,
        min(recorded_at) as recorded_at
    from this_run
    group by previous_customer_key, customer_key

),

final as (

    select
        moves.previous_customer_key,
        moves.customer_key,
        case
            when still_current.customer_key is not null then 'split'
            when existed_before.customer_key is not null then 'merge'
            else 'rekey'
        end as change_type,
        moves.nodes_moved,
        moves.as_of_date,
        moves.recorded_at
    from moves
    left join current_keys as still_current
        on moves.previous_customer_key = still_current.customer_key
    left join earlier_keys as existed_before
        on moves.customer_key = existed_before.customer_key

)

select * from final

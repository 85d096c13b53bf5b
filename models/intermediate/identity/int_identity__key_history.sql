{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{#- Append-only history of which customer_key each node had: a row whenever a node is new or its
    key changed, with the run that saw it. Nodes are stored as hashes, never as emails or phones. -#}

with

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

{% if is_incremental() %}
history as (

    select * from {{ this }}

),

latest_keys as (

    select
        node_hash,
        customer_key
    from (
        select
            node_hash,
            customer_key,
            row_number() over (partition by node_hash order by run_sequence desc) as recency
        from history
    ) as ordered_history
    where recency = 1

),

next_run as (

    select coalesce(max(run_sequence), 0) + 1 as run_sequence
    from history

),
{% endif %}

changes as (

    select
        node_keys.node_hash,
        node_keys.customer_key,
        {% if is_incremental() -%}
        latest_keys.customer_key as previous_customer_key,
        next_run.run_sequence,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as previous_customer_key,
        1 as run_sequence,
        {%- endif %}
        '{{ invocation_id }}' as invocation_id,
        {{ segwh.as_of_date() }} as as_of_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as recorded_at
    from node_keys
    {% if is_incremental() -%}
    cross join next_run
    left join latest_keys
        on node_keys.node_hash = latest_keys.node_hash
    where latest_keys.node_hash is null or latest_keys.customer_key <> node_keys.customer_key
    {%- endif %}

)

select * from changes

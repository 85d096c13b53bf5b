{#- The erasure log: one row per erased identifier, kept only as a salted hash. An erasure request
    naming any identifier of a person erases the whole person: every identity node of their
    component, their customer_key and their order ids (order items carry nothing else), plus the
    named identifier itself even when no person has it. A person whose node is already logged
    (a late file re-creating them) is logged again with all their new identifiers. Append-only and
    never rebuilt (full_refresh: false): raw purges, model clean-ups and the audience read it. -#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    schema='privacy',
    full_refresh=false,
    file_format=('parquet' if target.type == 'spark' else none),
) }}

with

requests as (

    select * from {{ ref('stg_privacy__erasure_requests') }}

),

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}

),

{% if is_incremental() %}
logged as (

    select * from {{ this }}

),
{% endif %}

named_people as (

    select
        node_keys.customer_key,
        requests.requested_at
    from requests
    inner join node_keys
        on node_keys.node_key = requests.identifier_type || ':' || requests.identifier_value

),

{% if is_incremental() %}
remembered_people as (

    select
        node_keys.customer_key,
        logged.erased_at as requested_at
    from node_keys
    inner join logged
        on {{ segwh.erasure_hash('node_keys.node_key') }} = logged.identifier_hash

),
{% endif %}

erased_people as (

    select
        customer_key,
        min(requested_at) as requested_at
    from (
        select * from named_people
        {% if is_incremental() -%}
        union all
        select * from remembered_people
        {%- endif %}
    ) as matched_people
    group by customer_key

),

erased_nodes as (

    select
        node_keys.node_key,
        erased_people.requested_at
    from node_keys
    inner join erased_people
        on node_keys.customer_key = erased_people.customer_key

    union all

    select
        'customer_key:' || customer_key as node_key,
        requested_at
    from erased_people

    union all

    select
        'order_id:' || record_keys.record_key as node_key,
        erased_people.requested_at
    from record_keys
    inner join erased_people
        on record_keys.customer_key = erased_people.customer_key
    where record_keys.source_table = 'orders'

    union all

    select
        identifier_type || ':' || identifier_value as node_key,
        requested_at
    from requests

),

hashed as (

    select
        {{ segwh.erasure_hash('node_key') }} as identifier_hash,
        {{ dbt.split_part('node_key', "':'", 1) }} as identifier_type,
        min(requested_at) as erased_at
    from erased_nodes
    group by
        {{ segwh.erasure_hash('node_key') }},
        {{ dbt.split_part('node_key', "':'", 1) }}

),

final as (

    select
        hashed.identifier_hash,
        hashed.identifier_type,
        hashed.erased_at,
        {{ segwh.as_of_date() }} as logged_on,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as logged_at
    from hashed
    {% if is_incremental() -%}
    left join (select distinct identifier_hash from logged) as already_logged
        on hashed.identifier_hash = already_logged.identifier_hash
    where already_logged.identifier_hash is null
    {%- endif %}

)

select * from final

{#- One row per person of this build who is erased: a node of theirs hashes to an entry of the
    erasure log. Empty after `segwh build` has purged them; non-empty only in a build that logged
    a new erasure (or one run without the purge), where it keeps them out of every export. -#}

with

node_keys as (

    select * from {{ ref('int_identity__node_keys') }}

),

erasure_log as (

    select * from {{ ref('erasure_log') }}

),

matched as (

    select
        node_keys.customer_key,
        erasure_log.erased_at
    from node_keys
    inner join erasure_log
        on {{ segwh.erasure_hash('node_keys.node_key') }} = erasure_log.identifier_hash

),

final as (

    select
        customer_key,
        min(erased_at) as erased_at
    from matched
    group by customer_key

)

select * from final

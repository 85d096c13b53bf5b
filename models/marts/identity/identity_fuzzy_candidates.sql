with

fuzzy_pairs as (

    select * from {{ ref('int_identity__fuzzy_pairs') }}

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}
    where source_table = 'customers'

),

final as (

    select
        fuzzy_pairs.customer_id_a,
        fuzzy_pairs.customer_id_b,
        key_a.customer_key as customer_key_a,
        key_b.customer_key as customer_key_b,
        fuzzy_pairs.email_distance,
        fuzzy_pairs.phone_distance,
        fuzzy_pairs.match_score,
        {% if var('identity_fuzzy_promote_min_score') is none -%}
        false
        {%- else -%}
        fuzzy_pairs.match_score >= {{ var('identity_fuzzy_promote_min_score') }}
        {%- endif %} as is_promoted
    from fuzzy_pairs
    inner join record_keys as key_a
        on fuzzy_pairs.customer_id_a = key_a.record_key
    inner join record_keys as key_b
        on fuzzy_pairs.customer_id_b = key_b.record_key
    where key_a.customer_key <> key_b.customer_key
        or {% if var('identity_fuzzy_promote_min_score') is none %}false{% else %}fuzzy_pairs.match_score >= {{ var('identity_fuzzy_promote_min_score') }}{% endif %}

)

select * from final

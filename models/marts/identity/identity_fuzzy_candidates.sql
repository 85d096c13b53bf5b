with

fuzzy_pairs as (

    select * from {{ ref('int_identity__fuzzy_pairs') }}

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}
    where source_table = 'customers'

),

compared as (

    select
        fuzzy_pairs.customer_id_a,
        fuzzy_pairs.customer_id_b,
        key_a.customer_key as customer_key_a,
        key_b.customer_key as customer_key_b,
        fuzzy_pairs.email_distance,
        fuzzy_pairs.phone_distance,
        fuzzy_pairs.match_score,
        {%- if var('identity_fuzzy_promote_min_score') is none %}
        false as is_promoted
        {%- else %}
        fuzzy_pairs.match_score >= {{ var('identity_fuzzy_promote_min_score') }} as is_promoted
        {%- endif %}
    from fuzzy_pairs
    inner join record_keys as key_a
        on fuzzy_pairs.customer_id_a = key_a.record_key
    inner join record_keys as key_b
        on fuzzy_pairs.customer_id_b = key_b.record_key

),

final as (

    select * from compared
    where customer_key_a <> customer_key_b or is_promoted

)

select * from final

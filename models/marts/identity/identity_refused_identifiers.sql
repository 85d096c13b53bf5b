with

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        refusal_reason,
        distinct_customer_ids,
        records,
        first_seen_at,
        last_seen_at
    from identifiers
    where not is_linkable

)

select * from final

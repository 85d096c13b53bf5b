{#- One row per distinct identifier, with how widely it is shared and whether it may link
    records: blocklisted values and values shared by too many customer ids link nothing. -#}

{%- set blocklist_query -%}
    select identifier_type, pattern, reason from {{ ref('identity_blocklist') }}
{%- endset -%}
{%- set blocklist = run_query(blocklist_query).rows if execute else [] -%}

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

per_identifier as (

    select
        identifier_type,
        identifier_value,
        count(distinct case
            when identifier_type <> 'customer_id' then record_customer_id
        end) as distinct_customer_ids,
        count(*) as records,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from observations
    group by identifier_type, identifier_value

),

checked as (

    select
        identifier_type,
        identifier_value,
        identifier_type || ':' || identifier_value as node_key,
        case
            {%- for row in blocklist %}
            when {% if row[0] != 'any' %}identifier_type = '{{ row[0] }}' and {% endif -%}
                {{ segwh.matches_pattern('lower(identifier_value)', row[1]) }}
                then 'blocklisted: {{ row[2] }}'
            {%- endfor %}
            when distinct_customer_ids > {{ var('identity_max_customer_ids_per_identifier') }}
                then 'shared_by_too_many_customer_ids'
        end as refusal_reason,
        distinct_customer_ids,
        records,
        first_seen_at,
        last_seen_at
    from per_identifier

),

final as (

    select
        identifier_type,
        identifier_value,
        node_key,
        refusal_reason,
        distinct_customer_ids,
        records,
        refusal_reason is null as is_linkable,
        first_seen_at,
        last_seen_at
    from checked

)

select * from final

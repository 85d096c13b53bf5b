{#- a table, not a view: customer_profile and the key tests read it, and each would recompute the
    survivorship over every candidate -#}
{{ config(materialized='table') }}

{#- One row per person (customer_key) with each attribute group's surviving value: from the most
    trusted source (var survivorship_source_priority), then the most recently observed, then the
    smallest value, and the source it came from. -#}

with

candidates as (

    select * from {{ ref('int_customers__attribute_candidates') }}

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by customer_key, attribute_group
            order by source_rank asc, observed_at desc nulls last, value_1 asc, value_2 asc, value_3 asc, value_4 asc
        ) as candidate_rank
    from candidates

),

survivors as (

    select * from ranked
    where candidate_rank = 1

),

{%- set groups = {
    'name': ['first_name', 'last_name'],
    'address': ['city', 'region', 'country_code', 'postal_code'],
    'email': ['email'],
    'phone': ['phone_e164'],
    'birth_date': ['birth_date_text'],
    'gender': ['gender'],
    'language': ['language_code'],
} %}

final as (

    select
        {%- for group, columns in groups.items() %}
        {%- for column in columns %}
        max(case when attribute_group = '{{ group }}' then value_{{ loop.index }} end) as {{ column }},
        {%- endfor %}
        max(case when attribute_group = '{{ group }}' then source_system end) as {{ group }}_source,
        {%- endfor %}
        customer_key
    from survivors
    group by customer_key

)

select * from final

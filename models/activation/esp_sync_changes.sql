{#- The change set that brings the ESP from the last published audience to this one (syncing only
    these rows makes them equal):
      upsert  a person new to the audience (change_reason new) or whose row_hash changed (changed);
      delete  a person who left it, with the first reason that applies, in this order: erased,
              key_changed (their identifiers now belong to another key), person_removed,
              complaint, hard_bounce, unsubscribed, consent_withdrawn, no_consent, soft_bounces,
              role_address, test_address, shared_address, no_segment, left_audience.
    A field that became empty is not blanked at the ESP (it is null here and named in
    fields_left_out) unless var esp_sync_blank_empty_fields is true; personalisation fields of a
    person who withdrew personalisation consent are always blanked (named in fields_to_blank).
    Deletes of erased people carry only the customer_key. Empty on the first build (nothing
    published yet, every row is an upsert) only when the audience is empty. -#}

{%- set published = segwh.existing_relation('activation', 'esp_audience_published') %}
{%- set fields = [
    'email', 'first_name', 'country_code', 'language_code', 'lifecycle_stage', 'rfm_segment',
    'engagement_level', 'preferred_send_hour', 'segment_names', 'consent_method', 'consented_at'
] %}
{%- set field_types = {'preferred_send_hour': 'integer', 'consented_at': dbt.type_timestamp()} %}
{%- set personalisation_fields = [
    'lifecycle_stage', 'rfm_segment', 'engagement_level', 'preferred_send_hour', 'segment_names'
] %}

with

audience as (

    select * from {{ ref('esp_audience') }}

),

profiles as (

    select * from {{ ref('customer_profile') }}

),

consent as (

    select * from {{ ref('customer_consent') }}
    where channel = 'email' and purpose = 'marketing'

),

suppressions as (

    select * from {{ ref('email_suppressions') }}

),

erasure_log as (

    select * from {{ ref('erasure_log') }}
    where identifier_type = 'customer_key'

),

retired_keys as (

    select distinct previous_customer_key
    from {{ ref('identity_key_changes') }}

),

previous as (

    {% if published is not none -%}
    select * from {{ published }}
    {%- else -%}
    select * from audience
    where 1 = 0
    {%- endif %}

),

upserts as (

    select
        'upsert' as change_type,
        case when previous.customer_key is null then 'new' else 'changed' end as change_reason,
        audience.customer_key,
        {% for field in fields -%}
        audience.{{ field }},
        {% endfor -%}
        {%- set blanked -%}
        {%- for field in fields -%}
            case
                when previous.{{ field }} is not null and audience.{{ field }} is null
                    and (
                        {{ 'true' if var('esp_sync_blank_empty_fields') else 'false' }}
        {%- if field in personalisation_fields %} or not audience.personalisation_allowed{% endif %}
                    )
                    then ',{{ field }}'
                else ''
            end
        {%- if not loop.last %} || {% endif %}
        {% endfor -%}
        {%- endset -%}
        {%- set left_out -%}
        {%- for field in fields -%}
            case
                when previous.{{ field }} is not null and audience.{{ field }} is null
                    and not (
                        {{ 'true' if var('esp_sync_blank_empty_fields') else 'false' }}
        {%- if field in personalisation_fields %} or not audience.personalisation_allowed{% endif %}
                    )
                    then ',{{ field }}'
                else ''
            end
        {%- if not loop.last %} || {% endif %}
        {% endfor -%}
        {%- endset %}
        nullif(substr({{ blanked }}, 2), '') as fields_to_blank,
        nullif(substr({{ left_out }}, 2), '') as fields_left_out,
        audience.row_hash
    from audience
    left join previous
        on audience.customer_key = previous.customer_key
    where previous.customer_key is null or previous.row_hash <> audience.row_hash

),

departed as (

    select previous.*
    from previous
    left join audience
        on previous.customer_key = audience.customer_key
    where audience.customer_key is null

),

suppression_matches as (

    select
        departed.customer_key,
        suppressions.suppression_reason
    from departed
    inner join suppressions
        on departed.customer_key = suppressions.customer_key
    where suppressions.suppression_scope = 'person'

    union all

    select
        departed.customer_key,
        suppressions.suppression_reason
    from departed
    inner join suppressions
        on {{ segwh.erasure_hash("'email:' || departed.email") }} = suppressions.email_hash

),

reasons as (

    select
        departed.customer_key,
        'erased' as reason,
        1 as priority
    from departed
    inner join erasure_log
        on {{ segwh.erasure_hash("'customer_key:' || departed.customer_key") }} = erasure_log.identifier_hash

    union all

    select
        departed.customer_key,
        case when retired_keys.previous_customer_key is not null then 'key_changed' else 'person_removed' end as reason,
        case when retired_keys.previous_customer_key is not null then 2 else 3 end as priority
    from departed
    left join profiles
        on departed.customer_key = profiles.customer_key
    left join retired_keys
        on departed.customer_key = retired_keys.previous_customer_key
    where profiles.customer_key is null

    union all

    select
        customer_key,
        suppression_reason as reason,
        case suppression_reason
            when 'complaint' then 4
            when 'hard_bounce' then 5
            when 'unsubscribed' then 6
            when 'soft_bounces' then 9
            when 'role_address' then 10
            when 'test_address' then 11
            when 'shared_address' then 12
            else 13
        end as priority
    from suppression_matches

    union all

    select
        departed.customer_key,
        case when consent.consent_status = 'withdrawn' then 'consent_withdrawn' else 'no_consent' end as reason,
        case when consent.consent_status = 'withdrawn' then 7 else 8 end as priority
    from departed
    inner join consent
        on departed.customer_key = consent.customer_key
    where not consent.is_consented

    {%- if var('esp_audience_requires_segment') %}

    union all

    select
        departed.customer_key,
        'no_segment' as reason,
        14 as priority
    from departed
    inner join profiles
        on departed.customer_key = profiles.customer_key
    where not exists (
        select 1 from {{ ref('segment_membership') }} as memberships
        where memberships.customer_key = departed.customer_key and not memberships.is_holdout
    )
    {%- endif %}

),

first_reasons as (

    select * from (
        select
            customer_key,
            reason,
            row_number() over (partition by customer_key order by priority, reason) as reason_rank
        from reasons
    ) as ranked
    where reason_rank = 1

),

deletes as (

    select
        'delete' as change_type,
        coalesce(first_reasons.reason, 'left_audience') as change_reason,
        case when first_reasons.reason = 'erased' then null else departed.email end as email,
        departed.customer_key,
        {% for field in fields if field != 'email' -%}
        cast(null as {{ field_types.get(field, dbt.type_string()) }}) as {{ field }},
        {% endfor -%}
        cast(null as {{ dbt.type_string() }}) as fields_to_blank,
        cast(null as {{ dbt.type_string() }}) as fields_left_out,
        cast(null as {{ dbt.type_string() }}) as row_hash
    from departed
    left join first_reasons
        on departed.customer_key = first_reasons.customer_key

),

final as (

    select
        change_type,
        change_reason,
        customer_key,
        {% for field in fields -%}
        {{ field }},
        {% endfor -%}
        fields_to_blank,
        fields_left_out,
        row_hash,
        {{ segwh.as_of_date() }} as as_of_date
    from upserts

    union all

    select
        change_type,
        change_reason,
        customer_key,
        {% for field in fields -%}
        {{ field }},
        {% endfor -%}
        fields_to_blank,
        fields_left_out,
        row_hash,
        {{ segwh.as_of_date() }} as as_of_date
    from deletes

)

select * from final

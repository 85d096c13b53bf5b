{#- The audience the email service provider syncs: one row per person who may receive marketing
    email now. In it: marketing email consent that counts (customer_consent.is_consented), no
    suppression of the person or the address (email_suppressions), not erased, an address no
    one else in the audience has, and with var esp_audience_requires_segment at least one
    segment. The address is the one the consent was given with, else the profile's. Personalisation
    fields (lifecycle, RFM, engagement, send hour, segments) are empty unless personalisation
    consent is granted. Segments exclude the person's holdouts. updated_at is the build that last
    changed a synced field (row_hash) against the published audience. -#}

{%- set published = segwh.existing_relation('activation', 'esp_audience_published') %}

with

profiles as (

    select * from {{ ref('customer_profile') }}

),

consent as (

    select * from {{ ref('customer_consent') }}
    where channel = 'email'

),

suppressions as (

    select * from {{ ref('email_suppressions') }}

),

erased_people as (

    select * from {{ ref('int_privacy__erased_people') }}

),

memberships as (

    select * from {{ ref('segment_membership') }}
    where not is_holdout

),

{% if published is not none %}
published as (

    select
        customer_key,
        row_hash,
        updated_at
    from {{ published }}

),
{% endif %}

marketing_consent as (

    select * from consent
    where purpose = 'marketing' and is_consented

),

personalisation_consent as (

    select * from consent
    where purpose = 'personalisation'

),

segment_lists as (

    select
        customer_key,
        {{ segwh.string_agg_sorted('segment_name', '|') }} as segment_names
    from memberships
    group by customer_key

),

suppressed_people as (

    select distinct customer_key
    from suppressions
    where suppression_scope = 'person' and customer_key is not null

),

suppressed_addresses as (

    select distinct email_hash
    from suppressions

),

candidates as (

    select
        profiles.customer_key,
        coalesce(marketing_consent.consent_email, profiles.email) as email,
        profiles.first_name,
        profiles.country_code,
        profiles.language_code,
        profiles.lifecycle_stage,
        profiles.rfm_segment,
        profiles.engagement_level,
        profiles.preferred_send_hour,
        segment_lists.segment_names,
        marketing_consent.consent_method,
        marketing_consent.consented_at,
        coalesce(personalisation_consent.is_consented, false) as personalisation_allowed
    from profiles
    inner join marketing_consent
        on profiles.customer_key = marketing_consent.customer_key
    left join personalisation_consent
        on profiles.customer_key = personalisation_consent.customer_key
    left join segment_lists
        on profiles.customer_key = segment_lists.customer_key

),

eligible as (

    select candidates.*
    from candidates
    left join suppressed_people
        on candidates.customer_key = suppressed_people.customer_key
    left join suppressed_addresses
        on {{ segwh.erasure_hash("'email:' || candidates.email") }} = suppressed_addresses.email_hash
    left join erased_people
        on candidates.customer_key = erased_people.customer_key
    where
        candidates.email is not null
        and suppressed_people.customer_key is null
        and suppressed_addresses.email_hash is null
        and erased_people.customer_key is null
    {%- if var('esp_audience_requires_segment') %}
        and candidates.segment_names is not null
        {%- endif %}

),

one_person_per_address as (

    select * from (
        select
            eligible.*,
            count(*) over (partition by email) as people_with_address
        from eligible
    ) as counted
    where people_with_address = 1

),

shaped as (

    select
        email,
        customer_key,
        first_name,
        country_code,
        language_code,
        case when personalisation_allowed then lifecycle_stage end as lifecycle_stage,
        case when personalisation_allowed then rfm_segment end as rfm_segment,
        case when personalisation_allowed then engagement_level end as engagement_level,
        case when personalisation_allowed then preferred_send_hour end as preferred_send_hour,
        case when personalisation_allowed then segment_names end as segment_names,
        consent_method,
        consented_at,
        personalisation_allowed
    from one_person_per_address

),

hashed as (

    select
        shaped.*,
        {{ segwh.row_hash([
            'email', 'first_name', 'country_code', 'language_code', 'lifecycle_stage', 'rfm_segment',
            'engagement_level', 'preferred_send_hour', 'segment_names', 'consent_method', 'consented_at',
            'personalisation_allowed'
        ]) }} as row_hash
    from shaped

),

final as (

    select
        hashed.email,
        hashed.customer_key,
        hashed.first_name,
        hashed.country_code,
        hashed.language_code,
        hashed.lifecycle_stage,
        hashed.rfm_segment,
        hashed.engagement_level,
        hashed.preferred_send_hour,
        hashed.segment_names,
        {{ segwh.split_to_array('hashed.segment_names', '|') }} as segment_names_array,
        hashed.consent_method,
        hashed.consented_at,
        hashed.personalisation_allowed,
        {% if published is not none -%}
        case
            when published.row_hash = hashed.row_hash then published.updated_at
            else cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
        end as updated_at,
        {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as updated_at,
        {%- endif %}
        hashed.row_hash
    from hashed
    {% if published is not none -%}
    left join published
        on hashed.customer_key = published.customer_key
    {%- endif %}

)

select * from final

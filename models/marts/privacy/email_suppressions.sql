{#- Who must not be emailed and why: one row per address (email_hash) and reason, with the time
    the suppression began. Scope `address` stops that address only (bounces, role or test
    addresses, addresses shared by several people); scope `person` stops every address of the
    person (complaints, unsubscribes, erasure).
      hard_bounce      one hard bounce is enough; permanent.
      soft_bounces     at least var soft_bounce_limit soft bounces (or bounces without a type) in
                       the last var soft_bounce_window_days days; began at the one that reached it.
      complaint        a spam complaint; permanent.
      unsubscribed     an unsubscribe with no later re-subscription confirmed by double opt-in;
                       began at the first unsubscribe after the last confirmation.
      role_address / test_address   matched by seeds/email_address_rules.csv.
      shared_address   an address the identity rules refused as shared by too many people; an
                       address they refused as junk (seeds/identity_blocklist.csv) is a test_address.
      erasure          an erased address: kept only as its salted hash (email is empty). -#}

with

email_events as (

    select * from {{ ref('int_events__email_attributed') }}

),

consent_events as (

    select * from {{ ref('int_privacy__consent_events') }}

),

known_emails as (

    select
        identifier_value,
        customer_key,
        first_seen_at
    from {{ ref('customer_identifiers') }}
    where identifier_type = 'email'

    union all

    select
        identifier_value,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        first_seen_at
    from {{ ref('identity_refused_identifiers') }}
    where identifier_type = 'email'

),

refused_identifiers as (

    select * from {{ ref('identity_refused_identifiers') }}
    where identifier_type = 'email'

),

address_rules as (

    select * from {{ ref('email_address_rules') }}

),

erasure_log as (

    select * from {{ ref('erasure_log') }}
    where identifier_type = 'email'

),

hard_bounces as (

    select
        email,
        max(customer_key) as customer_key,
        'hard_bounce' as suppression_reason,
        'address' as suppression_scope,
        min(occurred_at) as suppressed_since,
        count(*) as event_count
    from email_events
    where event_type = 'bounce' and bounce_type = 'hard'
    group by email

),

recent_soft_bounces as (

    select
        email,
        customer_key,
        occurred_at,
        row_number() over (partition by email order by occurred_at) as bounce_number,
        count(*) over (partition by email) as bounces_in_window
    from email_events
    where
        event_type = 'bounce'
        and coalesce(bounce_type, 'soft') <> 'hard'
        and event_date >= {{ segwh.days_ago(var('soft_bounce_window_days')) }}

),

soft_bounces as (

    select
        email,
        customer_key,
        'soft_bounces' as suppression_reason,
        'address' as suppression_scope,
        occurred_at as suppressed_since,
        bounces_in_window as event_count
    from recent_soft_bounces
    where bounce_number = {{ var('soft_bounce_limit') }}

),

complaints as (

    select
        email,
        max(customer_key) as customer_key,
        'complaint' as suppression_reason,
        'person' as suppression_scope,
        min(occurred_at) as suppressed_since,
        count(*) as event_count
    from email_events
    where event_type = 'complaint'
    group by email

),

confirmed_subscriptions as (

    select
        customer_key,
        max(occurred_at) as confirmed_at
    from consent_events
    where
        channel = 'email'
        and purpose = 'marketing'
        and consent_status = 'granted'
        and consent_method = 'double_opt_in_confirmed'
    group by customer_key

),

unsubscribes as (

    select
        email_events.email,
        max(email_events.customer_key) as customer_key,
        'unsubscribed' as suppression_reason,
        'person' as suppression_scope,
        min(email_events.occurred_at) as suppressed_since,
        count(*) as event_count
    from email_events
    left join confirmed_subscriptions
        on email_events.customer_key = confirmed_subscriptions.customer_key
    where
        email_events.event_type = 'unsubscribe'
        and (
            confirmed_subscriptions.confirmed_at is null
            or email_events.occurred_at > confirmed_subscriptions.confirmed_at
        )
    group by email_events.email

),

address_matches as (

    select
        known_emails.identifier_value as email,
        known_emails.customer_key,
        case
            when address_rules.rule_type = 'role_local_part' then 'role_address'
            else 'test_address'
        end as suppression_reason,
        'address' as suppression_scope,
        known_emails.first_seen_at as suppressed_since,
        cast(null as {{ dbt.type_bigint() }}) as event_count
    from known_emails
    inner join address_rules
        on
        (
            address_rules.rule_type = 'role_local_part'
            and {{ dbt.split_part('known_emails.identifier_value', "'@'", 1) }} = address_rules.rule_value
        )
        or (
            address_rules.rule_type = 'test_local_prefix'
            and {{ dbt.split_part('known_emails.identifier_value', "'@'", 1) }} like address_rules.rule_value || '%'
        )
        or (
            address_rules.rule_type = 'test_domain'
            and {{ dbt.split_part('known_emails.identifier_value', "'@'", 2) }} = address_rules.rule_value
        )

),

address_rule_suppressions as (

    select
        email,
        max(customer_key) as customer_key,
        suppression_reason,
        suppression_scope,
        min(suppressed_since) as suppressed_since,
        cast(null as {{ dbt.type_bigint() }}) as event_count
    from address_matches
    group by email, suppression_reason, suppression_scope

),

refused_addresses as (

    select
        identifier_value as email,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        case
            when refusal_reason = 'shared_by_too_many_customer_ids' then 'shared_address'
            else 'test_address'
        end as suppression_reason,
        'address' as suppression_scope,
        first_seen_at as suppressed_since,
        cast(null as {{ dbt.type_bigint() }}) as event_count
    from refused_identifiers

),

by_address as (

    select * from hard_bounces
    union all
    select * from soft_bounces
    union all
    select * from complaints
    union all
    select * from unsubscribes
    union all
    select * from address_rule_suppressions
    union all
    select * from refused_addresses

),

deduplicated as (

    select
        email,
        max(customer_key) as customer_key,
        suppression_reason,
        suppression_scope,
        min(suppressed_since) as suppressed_since,
        sum(event_count) as event_count
    from by_address
    group by email, suppression_reason, suppression_scope

),

final as (

    select
        {{ segwh.erasure_hash("'email:' || email") }} as email_hash,
        email,
        customer_key,
        suppression_reason,
        suppression_scope,
        suppressed_since,
        event_count
    from deduplicated

    union all

    select
        identifier_hash as email_hash,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        'erasure' as suppression_reason,
        'person' as suppression_scope,
        erased_at as suppressed_since,
        cast(null as {{ dbt.type_bigint() }}) as event_count
    from erasure_log

)

select * from final

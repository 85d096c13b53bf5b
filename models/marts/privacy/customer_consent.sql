{#- One row per person, channel (email, sms) and purpose (marketing, personalisation): the consent
    as of as_of_date. The status is the latest consent event's (granted or withdrawn; no_record
    when there is none: no record means no consent). While granted, the method is the strongest
    grant since the last withdrawal (a later single opt-in does not undo a confirmed double
    opt-in), with its time, source and address. Marketing consent counts only when confirmed by
    double opt-in where the person's country requires it (vars double_opt_in_required,
    double_opt_in_required_by_country); a pending double opt-in never counts. -#}

with

profiles as (

    select * from {{ ref('customer_profile') }}

),

consent_events as (

    select * from {{ ref('int_privacy__consent_events') }}

),

channels as (

    select 'email' as channel
    union all
    select 'sms' as channel

),

purposes as (

    select 'marketing' as purpose
    union all
    select 'personalisation' as purpose

),

ordered_events as (

    select
        consent_events.*,
        row_number() over (
            partition by customer_key, channel, purpose
            order by occurred_at desc, raw_row_number desc
        ) as recency,
        max(case when consent_status = 'withdrawn' then occurred_at end) over (
            partition by customer_key, channel, purpose
        ) as last_withdrawn_at
    from consent_events

),

latest_events as (

    select * from ordered_events
    where recency = 1

),

strongest_grants as (

    select * from (
        select
            ordered_events.*,
            row_number() over (
                partition by customer_key, channel, purpose
                order by method_strength asc, occurred_at desc, raw_row_number desc
            ) as strength_rank
        from ordered_events
        where
            consent_status = 'granted'
            and method_strength is not null
            and (last_withdrawn_at is null or occurred_at > last_withdrawn_at)
    ) as ranked_grants
    where strength_rank = 1

),

grid as (

    select
        profiles.customer_key,
        profiles.country_code,
        channels.channel,
        purposes.purpose
    from profiles
    cross join channels
    cross join purposes

),

combined as (

    select
        grid.customer_key,
        grid.channel,
        grid.purpose,
        coalesce(latest_events.consent_status, 'no_record') as consent_status,
        case when latest_events.consent_status = 'granted' then strongest_grants.consent_method end as consent_method,
        case
            when latest_events.consent_status = 'granted' then strongest_grants.occurred_at
        end as consented_at,
        case
            when latest_events.consent_status = 'granted' then strongest_grants.consent_source
            else latest_events.consent_source
        end as consent_source,
        case
            when latest_events.consent_status = 'granted' then coalesce(strongest_grants.email, latest_events.email)
        end as consent_email,
        latest_events.occurred_at as status_changed_at,
        grid.purpose = 'marketing' and {{ segwh.double_opt_in_required('grid.country_code') }} as double_opt_in_required
    from grid
    left join latest_events
        on
        grid.customer_key = latest_events.customer_key
        and grid.channel = latest_events.channel
        and grid.purpose = latest_events.purpose
    left join strongest_grants
        on
        grid.customer_key = strongest_grants.customer_key
        and grid.channel = strongest_grants.channel
        and grid.purpose = strongest_grants.purpose

),

final as (

    select
        customer_key,
        channel,
        purpose,
        consent_status,
        consent_method,
        consented_at,
        consent_source,
        consent_email,
        status_changed_at,
        double_opt_in_required,
        coalesce(
            consent_status = 'granted'
            and consent_method is not null
            and consent_method <> 'double_opt_in_pending'
            and (not double_opt_in_required or consent_method = 'double_opt_in_confirmed'),
            false
        ) as is_consented
    from combined

)

select * from final

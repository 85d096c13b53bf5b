{#- One row per raw email_events row, cleaned, typed and checked, with its version rank.
    Incremental on every engine, like base_web__events (see segwh.base_event_window). -#}
{%- set key_columns = segwh.base_event_tables()['email_events'].key_columns %}
{%- set window = segwh.base_event_window(this, 'email_events') %}
{%- set columns = [
    'raw_row_number', 'raw_loaded_at', 'message_id', 'campaign_id', 'email', 'email_normalized', 'event_type',
    'bounce_type', 'subscriber_id', 'quarantine_reason', 'occurred_at', 'received_at', 'event_date',
] %}
{{ config(**segwh.incremental_event_config('event_month')) }}
{{ config(
    pre_hook="{{ segwh.start_base_event_run(this, 'email_events') }}",
    post_hook="{{ segwh.complete_incremental_run(this) }}",
) }}

{{ segwh.window_comment(window) }}
with

source as (

    {{ segwh.base_event_source_rows(source('raw', 'email_events'), window) }}

),

cleaned as (

    select
        raw_row_number,
        raw_loaded_at,
        {{ segwh.clean_text('message_id') }} as message_id,
        {{ segwh.clean_text('campaign_id') }} as campaign_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        lower({{ segwh.clean_text('event_type') }}) as event_type,
        lower({{ segwh.clean_text('bounce_type') }}) as bounce_type,
        {{ segwh.clean_text('subscriber_id') }} as subscriber_id,
        {{ segwh.clean_text('occurred_at') }} as occurred_at_text,
        {{ segwh.clean_text('received_at') }} as received_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('email_normalized') }} then email_normalized end as email,
        {{ segwh.parse_timestamp('occurred_at_text') }} as occurred_at,
        {{ segwh.parse_timestamp('received_at_text') }} as received_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when message_id is null or occurred_at_text is null then 'missing_key'
            when occurred_at is null then 'invalid_timestamp'
            when received_at_text is not null and received_at is null then 'invalid_timestamp'
            when event_type is null then 'unknown_event_type'
            when event_type not in (
                'sent', 'delivered', 'open', 'click', 'bounce', 'unsubscribe', 'complaint'
            ) then 'unknown_event_type'
            when bounce_type is not null and bounce_type not in ('hard', 'soft') then 'invalid_value'
            when email is null then 'invalid_email'
            when occurred_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
            when received_at >= {{ segwh.as_of_end_timestamp() }} then 'after_as_of_date'
        end as quarantine_reason
    from typed

),

dated as (

    select
        {{ columns[:-1] | join(',\n        ') }},
        coalesce(cast(occurred_at as date), cast('1900-01-01' as date)) as event_date
    from checked

),

{{ segwh.base_event_rows('dated', window) }}

ranked as (

    select
        versions.*,
        {{ segwh.version_rank(key_columns) }}
    from versions

)

select
    {{ columns | join(',\n    ') }},
    version_rank,
    kept_raw_row_number,
    cast({{ dbt.date_trunc('month', 'event_date') }} as date) as event_month
from ranked

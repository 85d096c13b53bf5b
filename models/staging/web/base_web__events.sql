{#- One row per raw web_events row, cleaned, typed and checked, with its version rank.
    Incremental on every engine: a run recomputes the rows dated from the start of
    segwh.base_event_window (new loads, rows after as_of_date, older versions of their keys) and
    adds new undated rows; the window holds every version of its keys, so they are ranked as on a
    full build. -#}
{%- set key_columns = segwh.base_event_tables()['web_events'].key_columns %}
{%- set window = segwh.base_event_window(this, 'web_events') %}
{%- set columns = [
    'raw_row_number', 'raw_loaded_at', 'event_id', 'anonymous_id', 'customer_id', 'email', 'session_id',
    'event_type', 'product_id', 'device_type', 'quantity', 'price', 'quarantine_reason', 'occurred_at',
    'received_at', 'event_date',
] %}
{{ config(**segwh.incremental_event_config('event_month')) }}
{{ config(
    pre_hook="{{ segwh.start_base_event_run(this, 'web_events') }}",
    post_hook="{{ segwh.complete_incremental_run(this) }}",
) }}

{{ segwh.window_comment(window) }}
with

source as (

    {{ segwh.base_event_source_rows(source('raw', 'web_events'), window) }}

),

cleaned as (

    select
        raw_row_number,
        raw_loaded_at,
        {{ segwh.clean_text('event_id') }} as event_id,
        {{ segwh.clean_text('anonymous_id') }} as anonymous_id,
        {{ segwh.clean_text('customer_id') }} as customer_id,
        {{ segwh.normalize_email('email') }} as email_normalized,
        {{ segwh.clean_text('session_id') }} as session_id,
        lower({{ segwh.clean_text('event_type') }}) as event_type,
        {{ segwh.clean_text('product_id') }} as product_id,
        lower({{ segwh.clean_text('device_type') }}) as device_type,
        {{ segwh.clean_text('quantity') }} as quantity_text,
        {{ segwh.clean_text('price') }} as price_text,
        {{ segwh.clean_text('occurred_at') }} as occurred_at_text,
        {{ segwh.clean_text('received_at') }} as received_at_text
    from source

),

typed as (

    select
        cleaned.*,
        case when {{ segwh.is_valid_email('email_normalized') }} then email_normalized end as email,
        {{ segwh.parse_integer('quantity_text') }} as quantity,
        {{ segwh.parse_decimal('price_text') }} as price,
        {{ segwh.parse_timestamp('occurred_at_text') }} as occurred_at,
        {{ segwh.parse_timestamp('received_at_text') }} as received_at
    from cleaned

),

checked as (

    select
        typed.*,
        case
            when event_id is null then 'missing_key'
            when occurred_at is null then 'invalid_timestamp'
            when received_at_text is not null and received_at is null then 'invalid_timestamp'
            when event_type is null then 'unknown_event_type'
            when event_type not in (
                'page_view', 'product_view', 'add_to_cart', 'checkout', 'identify'
            ) then 'unknown_event_type'
            when anonymous_id is null and customer_id is null and email is null then 'no_customer_identifier'
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

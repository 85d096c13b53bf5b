{#- One row per usable web event with the customer_key of the person behind it: the person of the
    event's customer id, else of its email, else of its device (an anonymous id that an identified
    event tied to a person). Null when nothing ties the event to a person (anonymous browsing, a
    shared kiosk). Incremental on every engine (segwh.attribution_window): a run recomputes the
    days int_events__web_sessionized recomputed and attributes again the stored events of
    identities that changed (segwh.reattributed_events). -#}
-- depends_on: {{ ref('int_identity__record_nodes') }}

{%- set window = segwh.web_attributed_window(this) %}
{%- set event_columns = [
    'event_id', 'anonymous_id', 'customer_id', 'email', 'session_key', 'event_type', 'product_id', 'device_type',
    'device_key', 'quantity', 'price', 'event_date', 'event_month', 'occurred_at',
] %}
{{ config(**segwh.attribution_config('event_id')) }}
{{ config(
    pre_hook=[
        "{{ segwh.start_attribution_run(this) }}",
        "{{ segwh.attribution_changes_statements(this)[0] }}",
        "{{ segwh.attribution_changes_statements(this)[1] }}",
    ],
    post_hook=[
        "{{ segwh.write_attribution_snapshot(this)[0] }}",
        "{{ segwh.write_attribution_snapshot(this)[1] }}",
        "{{ segwh.write_attribution_snapshot(this)[2] }}",
        "{{ segwh.complete_incremental_run(this) }}",
    ],
) }}

{{ segwh.window_comment(window) }}

with

web_events as (

    select {{ event_columns | join(', ') }}
    from {{ ref('int_events__web_sessionized') }}
    {%- if window %}
    where event_date >= cast('{{ window.start }}' as date)
    {%- if window.identity %}
    union all
    {{ segwh.reattributed_events(
        this, event_columns, segwh.attribution_identity_columns(this), window,
        anonymous_column=segwh.attribution_anonymous_column(this)
    ) }}
    {%- endif %}
    {%- endif %}

),

customer_id_nodes as (

    {{ segwh.node_keys_of_types(['customer_id']) }}

),

email_nodes as (

    {{ segwh.node_keys_of_types(['email']) }}

),

anonymous_id_nodes as (

    {{ segwh.node_keys_of_types(['anonymous_id']) }}

),

final as (

    select
        web_events.event_id,
        coalesce(
            by_customer_id.customer_key,
            by_email.customer_key,
            by_anonymous_id.customer_key
        ) as customer_key,
        web_events.anonymous_id,
        web_events.customer_id,
        web_events.email,
        web_events.session_key,
        web_events.event_type,
        web_events.product_id,
        web_events.device_type,
        web_events.device_key,
        web_events.quantity,
        web_events.price,
        web_events.event_date,
        web_events.event_month,
        web_events.occurred_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as attributed_at
    from web_events
    left join customer_id_nodes as by_customer_id
        on by_customer_id.node_key = 'customer_id:' || web_events.customer_id
    left join email_nodes as by_email
        on by_email.node_key = 'email:' || web_events.email
    left join anonymous_id_nodes as by_anonymous_id
        on by_anonymous_id.node_key = 'anonymous_id:' || web_events.anonymous_id

)

select * from final

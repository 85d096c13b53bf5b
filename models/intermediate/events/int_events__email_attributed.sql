{#- One row per usable email event with the customer_key of its recipient (the person of the
    email address, else of the ESP subscriber id). Null when the address links to no person.
    Incremental on every engine like int_events__web_attributed (segwh.attribution_window,
    segwh.reattributed_events). -#}
-- depends_on: {{ ref('int_identity__record_nodes') }}

{%- set window = segwh.email_attributed_window(this) %}
{%- set event_columns = [
    'message_id', 'campaign_id', 'email', 'subscriber_id', 'event_type', 'bounce_type', 'occurred_at',
] %}
{{ config(**segwh.attribution_config(['message_id', 'email', 'event_type', 'occurred_at'])) }}
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

email_events as (

    select {{ event_columns | join(', ') }}
    from {{ ref('stg_esp__email_events') }}
    {%- if window %}
    where occurred_at >= cast('{{ window.start }}' as {{ dbt.type_timestamp() }})
    {%- if window.identity %}
    union all
    {{ segwh.reattributed_events(
        this, event_columns, segwh.attribution_identity_columns(this), window,
        anonymous_column=segwh.attribution_anonymous_column(this)
    ) }}
    {%- endif %}
    {%- endif %}

),

email_nodes as (

    {{ segwh.node_keys_of_types(['email']) }}

),

subscriber_id_nodes as (

    {{ segwh.node_keys_of_types(['subscriber_id']) }}

),

final as (

    select
        email_events.message_id,
        coalesce(by_email.customer_key, by_subscriber_id.customer_key) as customer_key,
        email_events.campaign_id,
        email_events.email,
        email_events.subscriber_id,
        email_events.event_type,
        email_events.bounce_type,
        cast(email_events.occurred_at as date) as event_date,
        cast({{ dbt.date_trunc('month', 'email_events.occurred_at') }} as date) as event_month,
        email_events.occurred_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as attributed_at
    from email_events
    left join email_nodes as by_email
        on by_email.node_key = 'email:' || email_events.email
    left join subscriber_id_nodes as by_subscriber_id
        on by_subscriber_id.node_key = 'subscriber_id:' || email_events.subscriber_id

)

select * from final

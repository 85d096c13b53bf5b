{#- Returns one entry per raw table: its name, its base model, the staging model readers use and
    the base model columns that form its source key. The audit models and the reconciliation
    test loop over this list, so a new raw table is added here once. -#}
{% macro staging_tables() -%}
    {{ return([
        {'table': 'orders', 'base': 'base_shop__orders', 'staging': 'stg_shop__orders', 'key': ['order_id']},
        {'table': 'order_items', 'base': 'base_shop__order_items', 'staging': 'stg_shop__order_items', 'key': ['order_id', 'product_id']},
        {'table': 'products', 'base': 'base_shop__products', 'staging': 'stg_shop__products', 'key': ['product_id']},
        {'table': 'customers', 'base': 'base_crm__customers', 'staging': 'stg_crm__customers', 'key': ['customer_id']},
        {'table': 'web_events', 'base': 'base_web__events', 'staging': 'stg_web__events', 'key': ['event_id']},
        {'table': 'email_events', 'base': 'base_esp__email_events', 'staging': 'stg_esp__email_events', 'key': ['message_id', 'email_normalized', 'event_type', 'occurred_at']},
        {'table': 'consent_events', 'base': 'base_consent__events', 'staging': 'stg_consent__events', 'key': ['customer_id', 'email_normalized', 'channel', 'purpose', 'consent_status', 'occurred_at']},
        {'table': 'erasure_requests', 'base': 'base_privacy__erasure_requests', 'staging': 'stg_privacy__erasure_requests', 'key': ['identifier_type', 'identifier_value']},
        {'table': 'preferences', 'base': 'base_esp__preferences', 'staging': 'stg_esp__preferences', 'key': ['customer_id', 'email']},
    ]) }}
{%- endmacro %}

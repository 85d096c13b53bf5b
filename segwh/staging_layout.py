"""Which staging model holds the usable rows of each raw table (mirrors macros/staging/staging_tables.sql;
a test checks the two agree)."""

STAGING_TABLES: dict[str, str] = {
    "orders": "stg_shop__orders",
    "order_items": "stg_shop__order_items",
    "products": "stg_shop__products",
    "customers": "stg_crm__customers",
    "web_events": "stg_web__events",
    "email_events": "stg_esp__email_events",
    "consent_events": "stg_consent__events",
    "erasure_requests": "stg_privacy__erasure_requests",
    "preferences": "stg_esp__preferences",
}

{#- Returns, per raw table, the identity node keys its rows carry as SQL expressions on the raw
    (untyped) columns, normalised exactly as staging does: a raw row is purged when any of them
    hashes to an entry of the erasure log. Phones use the default country's calling code (like
    orders; a national number written for another country is still caught by the customer id or
    email of its row). -#}
{% macro raw_identifier_columns() %}
    {%- set code = segwh.string_literal(segwh.default_calling_code()) -%}
    {%- set customer_id = "'customer_id:' || " ~ segwh.clean_text('customer_id') -%}
    {%- set email = "'email:' || " ~ segwh.normalize_email('email') -%}
    {%- set phone = "'phone:' || " ~ segwh.phone_to_e164('phone', code) -%}
    {%- set order_id = "'order_id:' || " ~ segwh.clean_text('order_id') -%}
    {%- set request_type = "lower(" ~ segwh.clean_text('identifier_type') ~ ")" -%}
    {%- set request_text = segwh.clean_text('identifier_value') -%}
    {%- set request = request_type ~ " || ':' || case " ~ request_type ~ " when 'email' then lower(" ~ request_text ~ ")"
        ~ " when 'phone' then coalesce(" ~ segwh.phone_to_e164(request_text, code) ~ ", " ~ request_text ~ ")"
        ~ " else " ~ request_text ~ " end" -%}
    {{ return({
        'customers': [customer_id, email, phone],
        'orders': [order_id, customer_id, email, phone],
        'order_items': [order_id],
        'web_events': [customer_id, email, "'anonymous_id:' || " ~ segwh.clean_text('anonymous_id')],
        'email_events': [email, "'subscriber_id:' || " ~ segwh.clean_text('subscriber_id')],
        'consent_events': [customer_id, email],
        'preferences': [customer_id, email],
        'erasure_requests': [request],
    }) }}
{% endmacro %}

{#- Returns the calling code of the default_phone_country var, read from the seed. -#}
{% macro default_calling_code() %}
    {%- if not execute -%}
        {{ return('1') }}
    {%- endif -%}
    {%- set result = run_query(
        "select calling_code from " ~ ref('country_calling_codes')
        ~ " where country_code = '" ~ var('default_phone_country') ~ "'"
    ) -%}
    {%- if result.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error("default_phone_country '" ~ var('default_phone_country') ~ "' is not in seeds/country_calling_codes.csv") }}
    {%- endif -%}
    {{ return(result.columns[0].values()[0] | string) }}
{% endmacro %}

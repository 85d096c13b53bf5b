{#- Returns the SHA-256 digest of the text `expression` as 64 lower-case hex characters (null for
    null), identical on every engine; used for salted hashes of erased identifiers and stable ids. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'segwh')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

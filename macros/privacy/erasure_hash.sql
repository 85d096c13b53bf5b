{#- Returns the salted SHA-256 (hex) of an identity node key such as 'email:ann@example.com', the
    only form in which the erasure log keeps an erased identifier. `node_key_sql` is a SQL text
    expression. The salt is the SEGWH_ERASURE_SALT environment variable (the command line creates
    one in data/erasure_salt when it is not set); it must stay the same for the life of the
    warehouse, or logged erasures stop matching. -#}
{% macro erasure_hash(node_key_sql) -%}
    {{ segwh.sha256_hex(segwh.string_literal(segwh.erasure_salt() ~ ':') ~ ' || ' ~ node_key_sql) }}
{%- endmacro %}

{#- Returns the salt of erasure hashes; fails when SEGWH_ERASURE_SALT is not set. -#}
{% macro erasure_salt() -%}
    {%- set salt = env_var('SEGWH_ERASURE_SALT', '') -%}
    {%- if execute and salt | length < 16 -%}
        {{ exceptions.raise_compiler_error(
            'SEGWH_ERASURE_SALT must be set to a secret of at least 16 characters '
            ~ '(segwh creates one in data/erasure_salt; see README, Erasure)'
        ) }}
    {%- endif -%}
    {{ return(salt) }}
{%- endmacro %}

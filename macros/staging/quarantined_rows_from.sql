{#- Returns a select of the quarantined rows of one raw table: the source table, its source key
    (key columns joined with '|', as cleaned in the base model), the raw row number, the reason
    code and the raw values of the row as a JSON object. `base_model` is the base model's name. -#}
{% macro quarantined_rows_from(table_name, base_model, key_columns) -%}
    select
        '{{ table_name }}' as source_table,
        {{ segwh.source_key(key_columns, 'base') }} as source_key,
        base.raw_row_number,
        base.quarantine_reason as reason_code,
        {{ segwh.json_object_text(segwh.raw_contract_columns(table_name), 'raw_rows') }} as raw_values
    from {{ ref(base_model) }} as base
    inner join {{ source('raw', table_name) }} as raw_rows
        on base.raw_row_number = raw_rows.raw_row_number
    where base.quarantine_reason is not null
{%- endmacro %}

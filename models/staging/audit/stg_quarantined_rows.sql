{{ config(materialized='table') }}

with

{% for entry in segwh.staging_tables() %}
quarantined_{{ entry.table }} as (

    {{ segwh.quarantined_rows_from(entry.table, entry.base, entry.key) | indent(4) }}

),

{% endfor %}
all_quarantined as (

    {% for entry in segwh.staging_tables() -%}
    select * from quarantined_{{ entry.table }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

)

select * from all_quarantined

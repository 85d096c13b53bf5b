-- Rule: every raw row lands in exactly one of its staging model, stg_quarantined_rows or
-- stg_superseded_rows. Returns each raw row found in none of them or in more than one.

with

{% for entry in segwh.staging_tables() %}
raw_{{ entry.table }} as (

    select
        '{{ entry.table }}' as source_table,
        raw_row_number
    from {{ source('raw', entry.table) }}

),

landed_{{ entry.table }} as (

    select raw_row_number from {{ ref(entry.staging) }}
    union all
    select raw_row_number from {{ ref('stg_quarantined_rows') }}
    where source_table = '{{ entry.table }}'
    union all
    select raw_row_number from {{ ref('stg_superseded_rows') }}
    where source_table = '{{ entry.table }}'

),

check_{{ entry.table }} as (

    select
        raw_{{ entry.table }}.source_table,
        raw_{{ entry.table }}.raw_row_number,
        count(landed_{{ entry.table }}.raw_row_number) as times_landed
    from raw_{{ entry.table }}
    left join landed_{{ entry.table }}
        on raw_{{ entry.table }}.raw_row_number = landed_{{ entry.table }}.raw_row_number
    group by raw_{{ entry.table }}.source_table, raw_{{ entry.table }}.raw_row_number

),

{% endfor %}
all_checks as (

    {% for entry in segwh.staging_tables() -%}
    select * from check_{{ entry.table }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

)

select * from all_checks
where times_landed <> 1

{#- Returns the first event date an incremental event model must recompute, as an ISO string, or
    none on a full build. It is the earliest event date among source rows that arrived after the
    newest arrival already in `relation` (its arrived_at column: received_at, else occurred_at), minus
    var event_lookback_days; and never later than the first day holding a row that happened or
    arrived after as_of_date, nor than the day after as_of_date, so that moving as_of_date
    backwards clears everything not known on that date. With `month_partitions` on Spark the
    start is moved back to the first day of its month (the table is partitioned by month, and a
    partition is the unit Spark replaces). `source_relation` must have
    occurred_at and received_at; `relation` must have arrived_at. -#}
{% macro incremental_window_start(relation, source_relation, month_partitions=false) %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        with

        arrived as (

            -- a scalar subquery, not a join: PostgreSQL then reads the high-water mark once
            select min(cast(occurred_at as date)) as first_new_date
            from {{ source_relation }}
            where
                coalesce(received_at, occurred_at) > coalesce(
                    (select max(arrived_at) from {{ relation }}),
                    cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
                )

        ),

        stale as (

            select min(event_date) as first_stale_date
            from {{ relation }}
            where arrived_at >= {{ segwh.as_of_end_timestamp() }} or occurred_at >= {{ segwh.as_of_end_timestamp() }}

        )

        select
            arrived.first_new_date,
            stale.first_stale_date
        from arrived
        cross join stale
    {%- endset -%}
    {%- set result = run_query(query) -%}
    {%- set first_new_date = segwh.as_python_date(result.columns[0].values()[0]) -%}
    {%- set first_stale_date = segwh.as_python_date(result.columns[1].values()[0]) -%}
    {%- set day_after_as_of = segwh.as_of_date_value() + modules.datetime.timedelta(days=1) -%}
    {%- if first_new_date is none -%}
        {%- set window_start = day_after_as_of -%}
    {%- else -%}
        {%- set window_start = first_new_date - modules.datetime.timedelta(days=var('event_lookback_days')) -%}
        {%- if window_start > day_after_as_of -%}
            {%- set window_start = day_after_as_of -%}
        {%- endif -%}
    {%- endif -%}
    {%- if first_stale_date is not none and first_stale_date < window_start -%}
        {%- set window_start = first_stale_date -%}
    {%- endif -%}
    {%- if month_partitions and target.type == 'spark' -%}
        {%- set window_start = window_start.replace(day=1) -%}
    {%- endif -%}
    {{ return(window_start.isoformat()) }}
{% endmacro %}

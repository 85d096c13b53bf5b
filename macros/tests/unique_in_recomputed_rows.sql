{#- Generic test for the incremental event models: returns each key (`columns`) on more than one
    row, looking only at the keys of the rows this invocation recomputed. A duplicate a run
    creates involves a row it wrote, and all rows of such a key are counted (also old ones), so
    the check is as strict as a whole-table test for what the run changed, at the cost of a
    semi-join instead of grouping every row.

    The recomputed rows are those with `date_expression` on or after the window start that
    `run_model` (default: the tested model) logged for this invocation in
    intermediate.segwh_incremental_runs, plus those whose `run_stamp_column` holds this
    invocation's run_started_at (attributed_at: rows attributed again beyond the window) and those
    matching `also_recomputed` (a fixed condition, for example undated rows). With
    `key_fixes_date` (the key holds the occurrence time, so every row of a key has one date) the
    recomputed rows are grouped alone: an older row cannot share their key. The whole table is
    checked when that model did not run in this invocation (a `dbt test` alone), on a full build
    (window 1900-01-01), and when var data_test_scope is 'all'. Keys with a null part are not
    compared (their not_null tests cover them). -#}
{% test unique_in_recomputed_rows(model, columns, date_expression, run_model=none, run_stamp_column=none, also_recomputed=none, key_fixes_date=false) %}

{%- set window_start = segwh.recomputed_window_start(run_model or model.identifier) %}

with

{%- if window_start is not none %}

recomputed_rows as (

    select {{ columns | join(', ') }}
    from {{ model }}
    where
        (
            {{ date_expression }} >= cast('{{ window_start }}' as date)
            {%- if run_stamp_column %}
            or {{ run_stamp_column }} = cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
            {%- endif %}
            {%- if also_recomputed %}
            or {{ also_recomputed }}
            {%- endif %}
        )
        {%- for column in columns %}
        and {{ column }} is not null
        {%- endfor %}

),

checked_rows as (

    {%- if key_fixes_date %}
    select * from recomputed_rows
    {%- else %}
    select
        {%- for column in columns %}
        tested.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }} as tested
    inner join (select distinct {{ columns | join(', ') }} from recomputed_rows) as recomputed_keys
        on
        {%- for column in columns %}
            {% if not loop.first %}and {% endif %}tested.{{ column }} = recomputed_keys.{{ column }}
        {%- endfor %}
    {%- endif %}

),
{%- else %}

checked_rows as (

    select {{ columns | join(', ') }}
    from {{ model }}
    where
        {%- for column in columns %}
        {% if not loop.first %}and {% endif %}{{ column }} is not null
        {%- endfor %}

),
{%- endif %}

duplicates as (

    select
        {{ columns | join(', ') }},
        count(*) as occurrences
    from checked_rows
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from duplicates

{% endtest %}


{#- The first date `model_name` recomputed in this invocation (a date text), or none when the
    whole table is to be checked: var data_test_scope is 'all', the model did not run in this
    invocation, or the run was a full build (segwh.window_start_of_this_invocation). -#}
{% macro recomputed_window_start(model_name) %}
    {%- if not execute or var('data_test_scope', 'recomputed') == 'all' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(segwh.window_start_of_this_invocation(model_name)) }}
{% endmacro %}

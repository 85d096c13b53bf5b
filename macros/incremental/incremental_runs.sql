{#- The run log of incremental models, intermediate.segwh_incremental_runs: per model run a
    'started' row with the first event date it recomputes (1900-01-01: everything) written by its
    pre-hook, and a 'completed' row written by its post-hook. A downstream model recomputes at
    least the windows its upstream models recomputed since its own last completed run, and a run
    that did not complete (on Spark, which has no transactions) is redone by the next one. -#}

{#- Creates the log when missing; returns it. -#}
{% macro ensure_incremental_runs_table() %}
    {{ return(segwh.ensure_table('intermediate', 'segwh_incremental_runs', [
        ('model_name', dbt.type_string()), ('invocation_id', dbt.type_string()),
        ('run_started_at', dbt.type_timestamp()), ('event', dbt.type_string()), ('window_start', 'date'),
    ], commit=false)) }}
{% endmacro %}

{#- SQL inserting a row of the log for `model_name`: event 'started' or 'completed'. -#}
{% macro incremental_run_row(model_name, event, window_start) -%}
    insert into {{ segwh.ensure_incremental_runs_table() }}
    values (
        '{{ model_name }}',
        '{{ invocation_id }}',
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}),
        '{{ event }}',
        {% if event == "started" %}cast('{{ window_start or "1900-01-01" }}' as date){% else %}cast(null as date){% endif %}
    )
{%- endmacro %}

{#- The run_started_at of the model's last completed run (a timestamp text), or none. -#}
{% macro last_completed_run(model_name) %}
    {%- set log = segwh.ensure_incremental_runs_table() -%}
    {%- set value = run_query(
        "select max(run_started_at) from " ~ log ~ " where model_name = '" ~ model_name ~ "' and event = 'completed'"
    ).columns[0].values()[0] -%}
    {{ return(none if value is none else value | string) }}
{% endmacro %}

{#- The earliest window start (a Python date) that `model_name` must recompute because of runs
    logged after its own last completed run: the windows of the upstream models' completed runs
    and its own runs that did not complete. 1900-01-01 when it never completed a run; none when
    nothing was logged since. -#}
{% macro logged_window_start(model_name, upstream_model_names) %}
    {%- set log = segwh.ensure_incremental_runs_table() -%}
    {%- set last_run = segwh.last_completed_run(model_name) -%}
    {%- if last_run is none -%}
        {{ return(modules.datetime.date(1900, 1, 1)) }}
    {%- endif -%}
    {%- set query -%}
        select min(started.window_start)
        from {{ log }} as started
        left join {{ log }} as completed
            on started.model_name = completed.model_name
            and started.invocation_id = completed.invocation_id
            and completed.event = 'completed'
        where
            started.event = 'started'
            and started.run_started_at > cast('{{ last_run }}' as {{ dbt.type_timestamp() }})
            and (
                (started.model_name = '{{ model_name }}' and completed.model_name is null)
                {%- for upstream in upstream_model_names %}
                or (started.model_name = '{{ upstream }}' and completed.model_name is not null)
                {%- endfor %}
            )
    {%- endset -%}
    {{ return(segwh.as_python_date(run_query(query).columns[0].values()[0])) }}
{% endmacro %}

{#- Pre-hook of an incremental event model: logs the run as started with its window start, then
    returns the statement that clears the window (segwh.clear_incremental_window). The window is
    computed once, before anything changes. -#}
{% macro start_incremental_run(relation, window_start, date_column='event_date', partition_column=none) %}
    {%- do run_query(segwh.incremental_run_row(relation.identifier, 'started', window_start)) -%}
    {{ return(segwh.clear_incremental_window(relation, window_start, date_column, partition_column)) }}
{% endmacro %}

{#- The window start (a date text) `model_name` logged in this dbt invocation, or none when it
    did not run in it or recomputed everything (1900-01-01). -#}
{% macro window_start_of_this_invocation(model_name) %}
    {%- set log = segwh.existing_relation('intermediate', 'segwh_incremental_runs') -%}
    {%- if log is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set value = run_query(
        "select min(window_start) from " ~ log ~ " where model_name = '" ~ model_name
        ~ "' and event = 'started' and invocation_id = '" ~ invocation_id ~ "'"
    ).columns[0].values()[0] -%}
    {%- set start = segwh.as_python_date(value) -%}
    {%- if start is none or start <= modules.datetime.date(1900, 1, 1) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(start.isoformat()) }}
{% endmacro %}

{#- A SQL comment carrying an incremental model's window (a dict of texts and booleans) in its
    compiled SQL, for the model's hooks to read back (segwh.compiled_window) instead of running
    the window queries again; empty on a full build (window none). -#}
{% macro window_comment(window) -%}
    {%- if window -%}
        /* segwh window: {{ tojson(window) }} */
    {%- endif -%}
{%- endmacro %}

{#- The window in the running model's compiled SQL (segwh.window_comment), or none. -#}
{% macro compiled_window() %}
    {%- set found = modules.re.search('/[*] segwh window: ([{][^}]*[}]) [*]/', model.get('compiled_code') or '') -%}
    {{ return(fromjson(found.group(1)) if found else none) }}
{% endmacro %}

{#- Post-hook of an incremental event model: logs the run as completed. -#}
{% macro complete_incremental_run(relation) %}
    {{ return(segwh.incremental_run_row(relation.identifier, 'completed', none)) }}
{% endmacro %}

{#- The first event date (ISO text) an incremental event model recomputes, or none on a full
    build: the earliest of the windows logged upstream since its last completed run (and its own
    runs that did not complete), the first day in it holding a row at or after as_of_date's end
    (`stale_sql`: a query returning that date, or none), the day after as_of_date (so moving
    as_of_date backwards clears what was not known then), and `more_starts` (dates). On Spark
    with `month_partitions` it moves back to the first day of its month (the partition Spark
    replaces). -#}
{% macro event_model_window(relation, upstream_model_names, stale_sql=none, more_starts=[], month_partitions=true) %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set starts = [segwh.as_of_date_value() + modules.datetime.timedelta(days=1)] + more_starts -%}
    {%- set logged = segwh.logged_window_start(relation.identifier, upstream_model_names) -%}
    {%- if logged is not none -%}
        {%- do starts.append(logged) -%}
    {%- endif -%}
    {%- if stale_sql is not none -%}
        {%- set stale = segwh.as_python_date(run_query(stale_sql).columns[0].values()[0]) -%}
        {%- if stale is not none -%}
            {%- do starts.append(stale) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set start = starts | reject('none') | min -%}
    {%- if month_partitions and target.type == 'spark' -%}
        {%- set start = start.replace(day=1) -%}
    {%- endif -%}
    {{ return(start.isoformat()) }}
{% endmacro %}

{#- The window of int_events__web_sessionized (see the model). -#}
{% macro web_sessionized_window(relation) %}
    {%- set stale_sql -%}
        select min(event_date) from {{ relation }}
        where arrived_at >= {{ segwh.as_of_end_timestamp() }} or occurred_at >= {{ segwh.as_of_end_timestamp() }}
    {%- endset -%}
    {{ return(segwh.event_model_window(relation, ['base_web__events'], stale_sql if is_incremental() else none)) }}
{% endmacro %}

{#- The node keys an attributed event model used in its last run,
    intermediate.<model>__node_keys (node hash and customer_key of the nodes of its node types, no
    identifiers): written by the
    model's post-hook in the same transaction as its rows (on Spark after them), so it always
    describes the identity the stored rows were attributed with. -#}
{% macro attribution_snapshot(relation) %}
    {{ return(segwh.existing_relation('intermediate', relation.identifier ~ '__node_keys')) }}
{% endmacro %}

{#- The identifier columns an attributed event model looks its events up by, as a map of node
    types to the model's (and its source's) columns, in the order of preference. Its windows and
    re-attribution compare these nodes, and its snapshot keeps only them (a phone changing person,
    say, changes no web or email event's key); the model joins one node_keys_of_types CTE per
    entry. -#}
{% macro attribution_identity_columns(relation) %}
    {{ return({
        'int_events__web_attributed': {'customer_id': 'customer_id', 'email': 'email', 'anonymous_id': 'anonymous_id'},
        'int_events__email_attributed': {'email': 'email', 'subscriber_id': 'subscriber_id'},
    }[relation.identifier]) }}
{% endmacro %}

{#- The column of an attributed event model holding a device's anonymous id, whose unattributed
    events are attributed again when the device is first tied to a person; none without one. -#}
{% macro attribution_anonymous_column(relation) %}
    {{ return({'int_events__web_attributed': 'anonymous_id'}.get(relation.identifier)) }}
{% endmacro %}

{#- The node types of segwh.attribution_identity_columns. -#}
{% macro attribution_node_types(relation) %}
    {{ return(segwh.attribution_identity_columns(relation).keys() | list) }}
{% endmacro %}

{#- A select of the node_key, node_hash and customer_key of the nodes of `node_types` (a list of
    node types: 'email', ...) from int_identity__node_keys. An attributed event model joins each of
    its lookups to the nodes of one type: smaller joins than all nodes. -#}
{% macro node_keys_of_types(node_types) -%}
    select node_key, node_hash, customer_key
    from {{ ref('int_identity__node_keys') }}
    where
    {%- for node_type in node_types %}
        {% if not loop.first %}or {% endif %}substr(node_key, 1, {{ node_type | length + 1 }}) = '{{ node_type }}:'
    {%- endfor %}
{%- endmacro %}

{#- The node changes of an attributed event model's incremental run,
    intermediate.<model>__node_changes: one row per node of the model's node types that is new,
    changed customer_key or disappeared since its node keys snapshot (node_hash, node_key and
    customer_key now, null when gone; previous_customer_key, null when new). Written by the
    model's pre-hooks (segwh.attribution_changes_statements) when the run attributes stored events
    again (window.identity), read by its re-attribution (segwh.reattributed_events) and applied to
    the snapshot by its post-hooks, which then drop it: one comparison of the nodes with the
    snapshot per run instead of one per use. -#}
{% macro attribution_changes(relation) %}
    {{ return(api.Relation.create(
        database=segwh.target_database(), schema='intermediate', identifier=relation.identifier ~ '__node_changes', type='table'
    )) }}
{% endmacro %}

{#- The window of the running attributed event model: the one its compiled SQL carries
    (segwh.window_comment), else computed (none on a full build). -#}
{% macro attribution_window_of_run(relation) %}
    {%- set window = segwh.compiled_window() -%}
    {%- if window is none -%}
        {%- set window = {
            'int_events__web_attributed': segwh.web_attributed_window,
            'int_events__email_attributed': segwh.email_attributed_window,
        }[relation.identifier](relation) -%}
    {%- endif -%}
    {{ return(window) }}
{% endmacro %}

{#- Pre-hook of an attributed event model: logs the run and clears its window
    (segwh.start_incremental_run). -#}
{% macro start_attribution_run(relation) %}
    {{ return(segwh.start_incremental_run(
        relation, (segwh.attribution_window_of_run(relation) or {}).get('start'), 'event_date', 'event_month'
    )) }}
{% endmacro %}

{#- Pre-hooks of an attributed event model, two statements: replace its node changes
    (segwh.attribution_changes) when the run attributes stored events again; empty otherwise. -#}
{% macro attribution_changes_statements(relation) %}
    {%- if not (segwh.attribution_window_of_run(relation) or {}).get('identity') -%}
        {{ return(['', '']) }}
    {%- endif -%}
    {%- set changes = segwh.attribution_changes(relation) -%}
    {%- set statement -%}
        create table {{ changes }} as
        select
            coalesce(node_keys.node_hash, previous_keys.node_hash) as node_hash,
            node_keys.node_key,
            node_keys.customer_key,
            previous_keys.customer_key as previous_customer_key
        from ({{ segwh.node_keys_of_types(segwh.attribution_node_types(relation)) }}) as node_keys
        full outer join {{ segwh.attribution_snapshot(relation) }} as previous_keys
            on node_keys.node_hash = previous_keys.node_hash
        where
            node_keys.node_hash is null
            or previous_keys.node_hash is null
            or node_keys.customer_key <> previous_keys.customer_key
    {%- endset -%}
    {{ return(['drop table if exists ' ~ changes, statement]) }}
{% endmacro %}

{#- Post-hooks of an attributed event model, three statements: bring its node keys snapshot up to
    date, the nodes of its node types (segwh.attribution_node_types). After a run that attributed
    stored events again, the run's node changes are applied to it (removed and changed nodes
    deleted, new and changed ones inserted) and dropped; otherwise (a full build, Spark) it is
    written again. -#}
{% macro write_attribution_snapshot(relation) %}
    {%- set snapshot = api.Relation.create(
        database=segwh.target_database(), schema='intermediate', identifier=relation.identifier ~ '__node_keys', type='table'
    ) -%}
    {%- if (segwh.attribution_window_of_run(relation) or {}).get('identity') -%}
        {%- set changes = segwh.attribution_changes(relation) -%}
        {{ return([
            'delete from ' ~ snapshot ~ ' where node_hash in (select node_hash from ' ~ changes ~ ')',
            'insert into ' ~ snapshot ~ ' (node_hash, customer_key) select node_hash, customer_key from ' ~ changes
            ~ ' where node_key is not null',
            'drop table if exists ' ~ changes,
        ]) }}
    {%- endif -%}
    {{ return([
        'drop table if exists ' ~ snapshot,
        'create table ' ~ snapshot ~ (' using parquet' if target.type == 'spark' else '')
        ~ ' as select node_hash, customer_key from ('
        ~ segwh.node_keys_of_types(segwh.attribution_node_types(relation)) ~ ') as node_keys',
        '',
    ]) }}
{% endmacro %}

{#- A select of the node keys ('email:...') of the model's node types whose customer_key is new
    or changed since the model's snapshot. Used by Spark's window (segwh.attribution_window), which
    writes no node changes table; DuckDB and PostgreSQL read segwh.attribution_changes instead. -#}
{% macro changed_nodes_sql(relation) -%}
    select node_keys.node_key
    from ({{ segwh.node_keys_of_types(segwh.attribution_node_types(relation)) }}) as node_keys
    left join {{ segwh.attribution_snapshot(relation) }} as previous_keys
        on node_keys.node_hash = previous_keys.node_hash
    where previous_keys.node_hash is null or previous_keys.customer_key <> node_keys.customer_key
{%- endmacro %}

{#- A select of the customer_keys that lost a node or saw one move away since the snapshot (a
    snapshot written before snapshots kept only the model's node types compares more nodes: more
    events are attributed again, the same rows result). Spark's window only, like changed_nodes_sql. -#}
{% macro changed_previous_keys_sql(relation) -%}
    select previous_keys.customer_key
    from {{ segwh.attribution_snapshot(relation) }} as previous_keys
    left join {{ ref('int_identity__node_keys') }} as node_keys
        on previous_keys.node_hash = node_keys.node_hash
    where node_keys.node_hash is null or node_keys.customer_key <> previous_keys.customer_key
{%- endmacro %}

{#- A condition true for events carrying a node whose customer_key is new or changed since the
    model's snapshot; `columns` maps node types to the event's columns. -#}
{% macro changed_identity_condition(relation, columns) -%}
    (
    {%- for node_type, column in columns.items() %}
        {% if not loop.first %}or {% endif %}'{{ node_type }}:' || {{ column }} in ({{ segwh.changed_nodes_sql(relation) }})
    {%- endfor %}
    )
{%- endmacro %}

{#- The window of an attributed event model (int_events__web_attributed,
    int_events__email_attributed) as a dict, or none on a full build:
    - start: the first event date recomputed (segwh.event_model_window over `upstream_model_names`,
      rows after as_of_date);
    - identity: true when, beyond the window, the events of identities that changed since the
      model's snapshot are attributed again (segwh.reattributed_events);
    - every_new_node: with identity, true when the identity observed a node new since the
      snapshot in `source_table`'s events before the start (segwh.new_nodes_seen_before), so
      every identifier of a new node is looked for among the older events.
    Without a snapshot everything is recomputed (start 1900-01-01). On Spark, which replaces whole
    partitions, the start moves back to the first event of a changed identity and identity is
    false. `identity_columns` maps node types to the columns of `source_relation` (aliased
    `events`). -#}
{% macro attribution_window(relation, upstream_model_names, source_relation, identity_columns, source_table) %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if segwh.attribution_snapshot(relation) is none -%}
        {{ return({'start': '1900-01-01', 'identity': false}) }}
    {%- endif -%}
    {%- set stale_sql -%}
        select min(event_date) from {{ relation }} where occurred_at >= {{ segwh.as_of_end_timestamp() }}
    {%- endset -%}
    {%- set start = segwh.event_model_window(relation, upstream_model_names, stale_sql, month_partitions=false) -%}
    {%- if target.type != 'spark' -%}
        {{ return({
            'start': start, 'identity': true,
            'every_new_node': segwh.new_nodes_seen_before(relation, source_table, start),
        }) }}
    {%- endif -%}
    {%- set query -%}
        select min(cast(events.occurred_at as date))
        from {{ source_relation }} as events
        where {{ segwh.changed_identity_condition(relation, identity_columns) }}
        union all
        select min(event_date)
        from {{ relation }}
        where customer_key in ({{ segwh.changed_previous_keys_sql(relation) }})
    {%- endset -%}
    {#- a list, not `set` inside the loop: a Jinja loop does not carry assignments out -#}
    {%- set starts = [modules.datetime.date.fromisoformat(start)] -%}
    {%- for value in run_query(query).columns[0].values() if value is not none -%}
        {%- do starts.append(segwh.as_python_date(value)) -%}
    {%- endfor -%}
    {{ return({'start': (starts | min).replace(day=1).isoformat(), 'identity': false}) }}
{% endmacro %}

{#- The config of an attributed event model (and of the sessions built from one): on DuckDB and
    PostgreSQL `strategy` by `unique_key` after the pre-hook cleared the date window: the
    attributed events use 'reattribution' (delete the events attributed again, append every new
    row: get_incremental_reattribution_sql), the sessions dbt's delete+insert; on Spark appended
    Parquet partitioned by `partition_column` after the pre-hook dropped the window's partitions. -#}
{% macro attribution_config(unique_key, partition_column='event_month', strategy='reattribution') %}
    {%- if target.type == 'spark' -%}
        {{ return(segwh.incremental_event_config(partition_column)) }}
    {%- endif -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': strategy, 'unique_key': unique_key}) }}
{% endmacro %}

{#- The windows of the two attributed event models (see attribution_window). -#}
{% macro web_attributed_window(relation) %}
    {{ return(segwh.attribution_window(
        relation, ['int_events__web_sessionized'], ref('int_events__web_sessionized'),
        segwh.attribution_identity_columns(relation), 'web_events'
    )) }}
{% endmacro %}

{% macro email_attributed_window(relation) %}
    {{ return(segwh.attribution_window(
        relation, ['base_esp__email_events'], ref('stg_esp__email_events'),
        segwh.attribution_identity_columns(relation), 'email_events'
    )) }}
{% endmacro %}

{#- The window of int_events__web_sessions as a dict, or none on a full build: `since`, the last
    completed run (sessions with an event attributed after it are recomputed), and `start`: on
    DuckDB and PostgreSQL the first end date cleared (sessions ending from the attributed events'
    window on; they are all recomputed or gone), on Spark the first start month replaced. -#}
{% macro web_sessions_window(relation) %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = segwh.last_completed_run(relation.identifier) or '1800-01-01 00:00:00' -%}
    {%- set stale_sql -%}
        select min(ended_date) from {{ relation }} where ended_at >= {{ segwh.as_of_end_timestamp() }}
    {%- endset -%}
    {%- set start = segwh.event_model_window(relation, ['int_events__web_attributed'], stale_sql, month_partitions=false) -%}
    {%- if target.type == 'spark' -%}
        {%- set attributed = ref('int_events__web_attributed') -%}
        {%- set first_affected = run_query(
            'select min(event_date) from ' ~ attributed ~ ' where session_key in (select session_key from ' ~ attributed
            ~ " where attributed_at > cast('" ~ since ~ "' as " ~ dbt.type_timestamp() ~ '))'
        ).columns[0].values()[0] -%}
        {%- set start = modules.datetime.date.fromisoformat(start) -%}
        {%- if first_affected is not none -%}
            {%- set start = [start, segwh.as_python_date(first_affected)] | min -%}
        {%- endif -%}
        {%- set start = start.replace(day=1).isoformat() -%}
    {%- endif -%}
    {{ return({'start': start, 'since': since}) }}
{% endmacro %}

{#- The stored events an attributed event model (int_events__web_attributed,
    int_events__email_attributed) attributes again on DuckDB and PostgreSQL because identity changed
    since its node keys snapshot: a select of `columns` from the model's own rows dated before
    window.start (the rows from it on are recomputed from upstream anyway) that
    - carry the customer_key of a node that changed key or disappeared (the key an event got was
      its chosen node's key, so an event whose chosen node changed carries that node's old key), or
    - carry, while unattributed, the anonymous id (`anonymous_column`) of a new node: a device first
      tied to a person, whose anonymous browsing history now belongs to that person, or
    - carry any identifier of a new node, when the identity saw a new node in the model's source
      events before window.start (window.every_new_node: an identifier no longer refused, for
      instance). Otherwise every identifier on an older event was a node already: the identity
      observes all of them (anonymous ids only on identified events, hence the case above).
    The model's rows hold every column it needs, so nothing upstream is scanned again; the changed
    nodes are the run's node changes (segwh.attribution_changes, written by the model's pre-hook).
    `node_columns` maps node types to the model's columns. -#}
{% macro reattributed_events(relation, columns, node_columns, window, anonymous_column=none) -%}
    {%- for condition in segwh.reattribution_conditions(relation, node_columns, window, anonymous_column) %}
    {% if not loop.first %}union all{% endif %}
    select {{ columns | join(', ') }}
    from {{ relation }}
    where
        event_date < cast('{{ window.start }}' as date)
        and {{ condition }}
    {%- endfor %}
{%- endmacro %}

{#- The conditions that pick, among an attributed event model's rows dated before window.start,
    the events it attributes again (segwh.reattributed_events), as a list of SQL conditions that
    never hold for the same row. With window.every_new_node (segwh.attribution_window) one
    condition; otherwise one per case (the two cases never overlap: an unattributed event has no
    key), each its own semi-join, so DuckDB filters the stored rows while scanning them instead of
    reading them all. The strategy `reattribution` deletes with the same conditions. -#}
{% macro reattribution_conditions(relation, node_columns, window, anonymous_column=none) %}
    {%- set changed_keys = 'customer_key in (' ~ segwh.changed_previous_keys_of_run(relation) ~ ')' -%}
    {%- if window.every_new_node -%}
        {%- set cases = [changed_keys] -%}
        {%- for node_type, column in node_columns.items() -%}
            {%- do cases.append(column ~ ' in (' ~ segwh.new_node_values_sql(relation, node_type) ~ ')') -%}
        {%- endfor -%}
        {{ return(['(' ~ cases | join('\n        or ') ~ ')']) }}
    {%- endif -%}
    {%- set conditions = [changed_keys] -%}
    {%- if anonymous_column -%}
        {%- do conditions.append(
            'customer_key is null and ' ~ anonymous_column ~ ' in ('
            ~ segwh.new_node_values_sql(relation, 'anonymous_id') ~ ')'
        ) -%}
    {%- endif -%}
    {{ return(conditions) }}
{% endmacro %}

{#- A select of the customer_keys that lost a node or saw one move away in the run's node changes
    (a snapshot written before snapshots kept only the model's node types lists more nodes as
    gone: more events are attributed again, the same rows result). -#}
{% macro changed_previous_keys_of_run(relation) -%}
    select previous_customer_key
    from {{ segwh.attribution_changes(relation) }}
    where previous_customer_key is not null
{%- endmacro %}

{#- A select of the identifier values of `node_type` whose node is new in the run's node changes. -#}
{% macro new_node_values_sql(relation, node_type) -%}
    {%- set prefix = node_type ~ ':' -%}
    select substr(node_key, {{ prefix | length + 1 }})
    from {{ segwh.attribution_changes(relation) }}
    where previous_customer_key is null and substr(node_key, 1, {{ prefix | length }}) = '{{ prefix }}'
{%- endmacro %}

{#- True when a node new since the model's snapshot was observed in `source_table`'s events
    before `start` (an ISO date). Nodes of other types than the snapshot's look new to it, but
    `source_table`'s events carry only the model's node types, so none of them is observed there. -#}
{% macro new_nodes_seen_before(relation, source_table, start) %}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set query -%}
        select count(*)
        from {{ ref('int_identity__record_nodes') }} as record_nodes
        where
            record_nodes.source_table = '{{ source_table }}'
            and record_nodes.observed_at < cast('{{ start }}' as {{ dbt.type_timestamp() }})
            and record_nodes.node_key in (
                select node_keys.node_key
                from {{ ref('int_identity__node_keys') }} as node_keys
                left join {{ segwh.attribution_snapshot(relation) }} as previous_keys
                    on node_keys.node_hash = previous_keys.node_hash
                where previous_keys.node_hash is null
            )
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{% endmacro %}

{#- Materialization `label_propagation`: the model's SQL returns undirected edges as two text
    columns `node_a`, `node_b` (a node linked to itself is a node without edges). The table built
    has one row per node with `component_id`, the smallest node of its connected component.

    Each round gives every node the smallest label among its own, its neighbours' and its label's
    label (pointer jumping), so long chains collapse in about log2(length) rounds instead of one
    round per hop. The build fails when labels still change after `identity_max_iterations`
    rounds (config `max_iterations`), rather than write partial identities. Intermediate tables
    live beside the model and are dropped at the end. -#}
{% materialization label_propagation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_iterations = config.get('max_iterations', var('identity_max_iterations', 40)) | int -%}
    {%- set edges = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__edges', type='table') -%}
    {%- set labels_a = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__labels_a', type='table') -%}
    {%- set labels_b = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__labels_b', type='table') -%}

    {{ run_hooks(pre_hooks) }}

    {%- for relation in [edges, labels_a, labels_b] %}
        {% do adapter.drop_relation(relation) %}
    {%- endfor %}

    {%- call statement('edges') -%}
        {{ get_create_table_as_sql(False, edges, segwh.label_propagation_edges_sql(sql)) }}
    {%- endcall -%}
    {%- call statement('initial_labels') -%}
        {{ get_create_table_as_sql(False, labels_a, segwh.label_propagation_initial_sql(edges)) }}
    {%- endcall -%}

    {%- set state = namespace(current=labels_a, previous=labels_b, converged=false, rounds=0) -%}
    {%- for round in range(max_iterations) -%}
        {%- if not state.converged -%}
            {%- set next_labels = state.previous -%}
            {% do adapter.drop_relation(next_labels) %}
            {%- call statement('propagate') -%}
                {{ get_create_table_as_sql(False, next_labels, segwh.label_propagation_round_sql(edges, state.current)) }}
            {%- endcall -%}
            {%- set changed = run_query(segwh.label_propagation_changes_sql(state.current, next_labels)).columns[0].values()[0] -%}
            {%- set state.previous = state.current -%}
            {%- set state.current = next_labels -%}
            {%- set state.rounds = round + 1 -%}
            {%- if changed | int == 0 -%}
                {%- set state.converged = true -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if not state.converged -%}
        {%- for relation in [edges, labels_a, labels_b] %}
            {% do adapter.drop_relation(relation) %}
        {%- endfor %}
        {{ exceptions.raise_compiler_error(
            "label propagation for " ~ this ~ " did not converge in " ~ max_iterations
            ~ " rounds (var identity_max_iterations); no identities were written. "
            ~ "Raise the cap, or look for a giant component in the identity health model."
        ) }}
    {%- endif -%}
    {{ log("label propagation for " ~ this ~ " converged in " ~ state.rounds ~ " rounds", info=True) }}

    {%- set existing = load_cached_relation(this) -%}
    {%- if existing is not none -%}
        {% do adapter.drop_relation(existing) %}
    {%- endif -%}
    {%- call statement('main') -%}
        {{ get_create_table_as_sql(False, target_relation, "select node, label as component_id from " ~ state.current) }}
    {%- endcall -%}

    {%- for relation in [edges, labels_a, labels_b] %}
        {% do adapter.drop_relation(relation) %}
    {%- endfor %}
    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {% do persist_docs(target_relation, model) %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- Both directions of every edge, self-links kept so isolated nodes exist. -#}
{% macro label_propagation_edges_sql(edges_sql) -%}
    with model_edges as (
        {{ edges_sql }}
    )
    select node_a as source_node, node_b as target_node from model_edges
    union
    select node_b as source_node, node_a as target_node from model_edges
{%- endmacro %}

{#- First labels: the smallest of a node and its neighbours. -#}
{% macro label_propagation_initial_sql(edges) -%}
    select
        source_node as node,
        least(source_node, min(target_node)) as label
    from {{ edges }}
    group by source_node
{%- endmacro %}

{#- One round: the smallest of the node's label, its neighbours' labels and its label's label. -#}
{% macro label_propagation_round_sql(edges, labels) -%}
    with neighbour_labels as (
        select
            edges.source_node as node,
            min(labels.label) as neighbour_label
        from {{ edges }} as edges
        inner join {{ labels }} as labels
            on edges.target_node = labels.node
        group by edges.source_node
    )
    select
        current_labels.node,
        least(
            current_labels.label,
            coalesce(neighbour_labels.neighbour_label, current_labels.label),
            coalesce(label_of_label.label, current_labels.label)
        ) as label
    from {{ labels }} as current_labels
    left join neighbour_labels
        on current_labels.node = neighbour_labels.node
    left join {{ labels }} as label_of_label
        on current_labels.label = label_of_label.node
{%- endmacro %}

{% macro label_propagation_changes_sql(previous_labels, next_labels) -%}
    select count(*) as changed_nodes
    from {{ next_labels }} as next_labels
    inner join {{ previous_labels }} as previous_labels
        on next_labels.node = previous_labels.node
    where next_labels.label <> previous_labels.label
{%- endmacro %}

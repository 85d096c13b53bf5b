{#- Materialization `label_propagation`: the model's SQL returns undirected edges as two text
    columns `node_a`, `node_b` (a node linked to itself is a node without edges). The table built
    has one row per node with `component_id`, the smallest node of its connected component.

    Each round gives every node the smallest label among its own, its neighbours' and its label's
    label (pointer jumping), so long chains collapse in about log2(length) rounds instead of one
    round per hop. The build fails when labels still change after `identity_max_iterations`
    rounds (config `max_iterations`), rather than write partial identities. Nodes are numbered
    first (in node order, so the smallest number is the smallest node) and rounds join integers,
    not text. Intermediate tables live beside the model and are dropped at the end. -#}
{% materialization label_propagation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_iterations = config.get('max_iterations', var('identity_max_iterations', 40)) | int -%}
    {%- set edge_text = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__edge_text', type='table') -%}
    {%- set nodes = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__nodes', type='table') -%}
    {%- set edges = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__edges', type='table') -%}
    {%- set labels_a = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__labels_a', type='table') -%}
    {%- set labels_b = api.Relation.create(database=this.database, schema=this.schema, identifier=this.identifier ~ '__labels_b', type='table') -%}

    {{ run_hooks(pre_hooks) }}

    {%- for relation in [edge_text, nodes, edges, labels_a, labels_b] %}
        {% do adapter.drop_relation(relation) %}
    {%- endfor %}

    {%- call statement('edge_text') -%}
        {{ get_create_table_as_sql(False, edge_text, segwh.label_propagation_edges_sql(sql)) }}
    {%- endcall -%}
    {%- call statement('nodes') -%}
        {{ get_create_table_as_sql(False, nodes, segwh.label_propagation_nodes_sql(edge_text)) }}
    {%- endcall -%}
    {%- call statement('edges') -%}
        {{ get_create_table_as_sql(False, edges, segwh.label_propagation_numbered_edges_sql(edge_text, nodes)) }}
    {%- endcall -%}
    {% do adapter.drop_relation(edge_text) %}
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
        {%- for relation in [edge_text, nodes, edges, labels_a, labels_b] %}
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
        {{ get_create_table_as_sql(False, target_relation, segwh.label_propagation_result_sql(nodes, state.current)) }}
    {%- endcall -%}

    {%- for relation in [edge_text, nodes, edges, labels_a, labels_b] %}
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

{#- Every node once, numbered in node order. -#}
{% macro label_propagation_nodes_sql(edge_text) -%}
    select
        node,
        row_number() over (order by node) as node_id
    from (select distinct source_node as node from {{ edge_text }}) as distinct_nodes
{%- endmacro %}

{% macro label_propagation_numbered_edges_sql(edge_text, nodes) -%}
    select
        source_nodes.node_id as source_id,
        target_nodes.node_id as target_id
    from {{ edge_text }} as edge_text
    inner join {{ nodes }} as source_nodes
        on edge_text.source_node = source_nodes.node
    inner join {{ nodes }} as target_nodes
        on edge_text.target_node = target_nodes.node
{%- endmacro %}

{#- First labels: the smallest of a node and its neighbours. -#}
{% macro label_propagation_initial_sql(edges) -%}
    select
        source_id as node,
        least(source_id, min(target_id)) as label
    from {{ edges }}
    group by source_id
{%- endmacro %}

{#- One round: the smallest of the node's label, its neighbours' labels and its label's label. -#}
{% macro label_propagation_round_sql(edges, labels) -%}
    with neighbour_labels as (
        select
            edges.source_id as node,
            min(labels.label) as neighbour_label
        from {{ edges }} as edges
        inner join {{ labels }} as labels
            on edges.target_id = labels.node
        group by edges.source_id
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

{#- Back from numbers to nodes: the component is named by its smallest node. -#}
{% macro label_propagation_result_sql(nodes, labels) -%}
    select
        nodes.node,
        label_nodes.node as component_id
    from {{ labels }} as labels
    inner join {{ nodes }} as nodes
        on labels.node = nodes.node_id
    inner join {{ nodes }} as label_nodes
        on labels.label = label_nodes.node_id
{%- endmacro %}

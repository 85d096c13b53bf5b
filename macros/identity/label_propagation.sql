{#- Materialization `label_propagation`: the model's SQL returns undirected edges as two text
    columns `node_a`, `node_b` (a node linked to itself is a node without edges). The table built
    has one row per node with `component_id`, the smallest node of its connected component.

    Each round gives every node the smallest label among its own, its neighbours' and its label's
    label (pointer jumping), so long chains collapse in about log2(length) rounds instead of one
    round per hop. The build fails when labels still change after `identity_max_iterations`
    rounds (config `max_iterations`), rather than write partial identities. Nodes are numbered
    first (in node order, so the smallest number is the smallest node) and rounds join integers,
    not text. Intermediate tables live beside the model and are dropped at the end.

    Incremental: the edges of the last build are kept beside the model (`<model>__edge_state`).
    When they and the model exist (and this is not a full refresh), only the components that an
    added or removed edge touches are computed again, from the current edges of their nodes and
    the added edges; every other component has exactly the same edges as before, so its rows are
    kept. Without the kept edges (first build, full refresh, a failed build on Spark) everything
    is computed. -#}
{% materialization label_propagation, default %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set max_iterations = config.get('max_iterations', var('identity_max_iterations', 40)) | int -%}
    {%- set edge_state = segwh.label_propagation_relation(this, '__edge_state') -%}
    {%- set new_edge_state = segwh.label_propagation_relation(this, '__edge_state_new') -%}
    {%- set edge_changes = segwh.label_propagation_relation(this, '__edge_changes') -%}
    {%- set touched = segwh.label_propagation_relation(this, '__touched') -%}
    {%- set subgraph = segwh.label_propagation_relation(this, '__subgraph') -%}
    {%- set edge_text = segwh.label_propagation_relation(this, '__edge_text') -%}
    {%- set nodes = segwh.label_propagation_relation(this, '__nodes') -%}
    {%- set edges = segwh.label_propagation_relation(this, '__edges') -%}
    {%- set labels_a = segwh.label_propagation_relation(this, '__labels_a') -%}
    {%- set labels_b = segwh.label_propagation_relation(this, '__labels_b') -%}
    {%- set result = segwh.label_propagation_relation(this, '__result') -%}
    {%- set temporaries = [new_edge_state, edge_changes, touched, subgraph, edge_text, nodes, edges, labels_a, labels_b, result] -%}

    {{ run_hooks(pre_hooks) }}

    {%- for relation in temporaries %}
        {% do adapter.drop_relation(relation) %}
    {%- endfor %}

    {%- set existing = load_cached_relation(this) -%}
    {%- set kept_edges = load_cached_relation(edge_state) -%}
    {%- set incremental = existing is not none and kept_edges is not none and not should_full_refresh() -%}

    {%- call statement('edge_state') -%}
        {{ get_create_table_as_sql(False, new_edge_state, sql) }}
    {%- endcall -%}
    {%- set graph_edges = new_edge_state -%}
    {%- if incremental -%}
        {%- call statement('edge_changes') -%}
            {{ get_create_table_as_sql(False, edge_changes, segwh.label_propagation_edge_changes_sql(new_edge_state, edge_state)) }}
        {%- endcall -%}
        {%- call statement('touched') -%}
            {{ get_create_table_as_sql(False, touched, segwh.label_propagation_touched_sql(edge_changes, existing)) }}
        {%- endcall -%}
        {%- call statement('subgraph') -%}
            {{ get_create_table_as_sql(False, subgraph, segwh.label_propagation_subgraph_sql(new_edge_state, edge_changes, touched, existing)) }}
        {%- endcall -%}
        {%- set graph_edges = subgraph -%}
    {%- endif -%}

    {%- call statement('edge_text') -%}
        {{ get_create_table_as_sql(False, edge_text, segwh.label_propagation_edges_sql('select node_a, node_b from ' ~ graph_edges)) }}
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
        {%- for relation in temporaries %}
            {% do adapter.drop_relation(relation) %}
        {%- endfor %}
        {{ exceptions.raise_compiler_error(
            "label propagation for " ~ this ~ " did not converge in " ~ max_iterations
            ~ " rounds (var identity_max_iterations); no identities were written. "
            ~ "Raise the cap, or look for a giant component in the identity health model."
        ) }}
    {%- endif -%}

    {%- if incremental -%}
        {%- set counts = run_query(
            "select (select count(*) from " ~ touched ~ "), (select count(*) from " ~ nodes ~ ")"
        ).rows[0] -%}
        {{ log("label propagation for " ~ this ~ " converged in " ~ state.rounds ~ " rounds over the "
            ~ counts[1] ~ " nodes of the " ~ counts[0] ~ " components that changed edges touch", info=True) }}
        {%- call statement('result') -%}
            {{ get_create_table_as_sql(False, result, segwh.label_propagation_merged_result_sql(existing, touched, nodes, state.current)) }}
        {%- endcall -%}
    {%- else -%}
        {{ log("label propagation for " ~ this ~ " converged in " ~ state.rounds ~ " rounds", info=True) }}
        {%- call statement('result') -%}
            {{ get_create_table_as_sql(False, result, segwh.label_propagation_result_sql(nodes, state.current)) }}
        {%- endcall -%}
    {%- endif -%}

    {#- The kept edges go first: without them the next build computes everything, so no step
        below can leave kept edges that do not match the components (Spark has no transactions). -#}
    {%- if kept_edges is not none -%}
        {% do adapter.drop_relation(kept_edges) %}
    {%- endif -%}
    {%- if existing is not none -%}
        {% do adapter.drop_relation(existing) %}
    {%- endif -%}
    {%- call statement('main') -%}
        select count(*) from {{ result }}
    {%- endcall -%}
    {% do adapter.rename_relation(result, target_relation) %}
    {% do adapter.rename_relation(new_edge_state, edge_state) %}

    {%- for relation in temporaries %}
        {% do adapter.drop_relation(relation) %}
    {%- endfor %}
    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}
    {% do persist_docs(target_relation, model) %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- A table beside the model: its name with `suffix`. -#}
{% macro label_propagation_relation(model_relation, suffix) -%}
    {{ return(api.Relation.create(
        database=model_relation.database, schema=model_relation.schema,
        identifier=model_relation.identifier ~ suffix, type='table',
    )) }}
{%- endmacro %}

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

{#- Edges added (`is_added`) or removed since the kept edges of the last build. -#}
{% macro label_propagation_edge_changes_sql(new_edges, kept_edges) -%}
    select
        coalesce(new_edges.node_a, kept_edges.node_a) as node_a,
        coalesce(new_edges.node_b, kept_edges.node_b) as node_b,
        new_edges.node_a is not null as is_added
    from {{ new_edges }} as new_edges
    full outer join {{ kept_edges }} as kept_edges
        on new_edges.node_a = kept_edges.node_a
        and new_edges.node_b = kept_edges.node_b
    where new_edges.node_a is null or kept_edges.node_a is null
{%- endmacro %}

{#- The components of the last build that a changed edge touches. -#}
{% macro label_propagation_touched_sql(edge_changes, components) -%}
    with changed_nodes as (
        select node_a as node from {{ edge_changes }}
        union
        select node_b as node from {{ edge_changes }}
    )
    select distinct components.component_id
    from {{ components }} as components
    inner join changed_nodes
        on components.node = changed_nodes.node
{%- endmacro %}

{#- The edges to propagate again: the current edges of the touched components' nodes (an edge
    kept from the last build joins two nodes of one component) and the added edges (the only
    edges of new nodes). -#}
{% macro label_propagation_subgraph_sql(new_edges, edge_changes, touched, components) -%}
    with touched_nodes as (
        select components.node
        from {{ components }} as components
        inner join {{ touched }} as touched
            on components.component_id = touched.component_id
    )
    select new_edges.node_a, new_edges.node_b
    from {{ new_edges }} as new_edges
    inner join touched_nodes
        on new_edges.node_a = touched_nodes.node
    union
    select node_a, node_b
    from {{ edge_changes }}
    where is_added
{%- endmacro %}

{#- The untouched components of the last build and the components computed again. -#}
{% macro label_propagation_merged_result_sql(components, touched, nodes, labels) -%}
    select components.node, components.component_id
    from {{ components }} as components
    left join {{ touched }} as touched
        on components.component_id = touched.component_id
    where touched.component_id is null
    union all
    {{ segwh.label_propagation_result_sql(nodes, labels) }}
{%- endmacro %}

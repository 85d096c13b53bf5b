{#- One row per person with a qualifying order: the k-means cluster whose centroid is nearest in
    the standardised log feature space (marts.customer_cluster_centroids, fitted by `segwh build`
    for this as_of_date). Empty when no clustering was fitted for the date. -#}

{%- set centroids_relation = segwh.existing_relation('marts', 'customer_cluster_centroids') %}

with

features as (

    select * from {{ ref('customer_cluster_features') }}

),

centroids as (

    {% if centroids_relation is not none -%}
    select * from {{ centroids_relation }}
    where as_of_date = {{ segwh.as_of_date() }}
    {%- else -%}
    select
        cast(null as integer) as cluster_id,
        cast(null as {{ dbt.type_string() }}) as cluster_label,
        {% for feature in ['recency', 'frequency', 'monetary', 'engagement'] -%}
        cast(null as {{ segwh.type_double() }}) as {{ feature }}_mean,
        cast(null as {{ segwh.type_double() }}) as {{ feature }}_std,
        cast(null as {{ segwh.type_double() }}) as {{ feature }}_centroid_z,
        {% endfor -%}
        cast(null as date) as as_of_date
    from features
    where 1 = 0
    {%- endif %}

),

distances as (

    select
        features.customer_key,
        centroids.cluster_id,
        centroids.cluster_label,
        {% for feature in ['recency', 'frequency', 'monetary', 'engagement'] -%}
        power(
            (features.log_{{ feature }} - centroids.{{ feature }}_mean) / centroids.{{ feature }}_std
            - centroids.{{ feature }}_centroid_z,
            2
        ){% if not loop.last %} +{% endif %}
        {% endfor -%}
            as squared_distance
    from features
    cross join centroids

),

nearest as (

    select
        distances.*,
        row_number() over (partition by customer_key order by squared_distance, cluster_id) as nearness
    from distances

),

final as (

    select
        customer_key,
        cluster_id,
        cluster_label,
        cast(sqrt(squared_distance) as decimal(12, 6)) as distance_to_centroid
    from nearest
    where nearness = 1

)

select * from final

{#- One row per cluster of this as_of_date: its size, its centroid in the original units (the
    fitted centroid transformed back: exp(mean + z * std) - 1), the members' averages
    for comparison, its readable label and the silhouette score of the chosen k. -#}

{%- set centroids_relation = segwh.existing_relation('marts', 'customer_cluster_centroids') %}

with

assignments as (

    select * from {{ ref('customer_clusters') }}

),

features as (

    select * from {{ ref('customer_cluster_features') }}

),

members as (

    select
        assignments.cluster_id,
        count(*) as member_count,
        avg(features.recency_days) as average_recency_days,
        avg(features.frequency) as average_frequency,
        avg(features.monetary) as average_monetary,
        avg(features.engagement_score) as average_engagement_score
    from assignments
    inner join features
        on assignments.customer_key = features.customer_key
    group by assignments.cluster_id

),

{% if centroids_relation is not none %}
centroids as (

    select * from {{ centroids_relation }}
    where as_of_date = {{ segwh.as_of_date() }}

),

final as (

    select
        centroids.cluster_id,
        centroids.cluster_label,
        coalesce(members.member_count, 0) as member_count,
        {% for feature in ['recency', 'frequency', 'monetary', 'engagement'] -%}
        cast(
            exp(centroids.{{ feature }}_mean + centroids.{{ feature }}_centroid_z * centroids.{{ feature }}_std) - 1
            as decimal(18, 2)
        ) as centroid_{{ feature }},
        {% endfor -%}
        cast(members.average_recency_days as decimal(18, 2)) as average_recency_days,
        cast(members.average_frequency as decimal(18, 2)) as average_frequency,
        cast(members.average_monetary as decimal(18, 2)) as average_monetary,
        cast(members.average_engagement_score as decimal(18, 2)) as average_engagement_score,
        centroids.cluster_count,
        cast(centroids.silhouette_score as decimal(9, 6)) as silhouette_score,
        centroids.as_of_date
    from centroids
    left join members
        on centroids.cluster_id = members.cluster_id

)
{% else %}
final as (

    select
        cast(null as integer) as cluster_id,
        cast(null as {{ dbt.type_string() }}) as cluster_label,
        cast(null as {{ dbt.type_bigint() }}) as member_count,
        {% for feature in ['recency', 'frequency', 'monetary', 'engagement'] -%}
        cast(null as decimal(18, 2)) as centroid_{{ feature }},
        {% endfor -%}
        cast(null as decimal(18, 2)) as average_recency_days,
        cast(null as decimal(18, 2)) as average_frequency,
        cast(null as decimal(18, 2)) as average_monetary,
        cast(null as decimal(18, 2)) as average_engagement_score,
        cast(null as integer) as cluster_count,
        cast(null as decimal(9, 6)) as silhouette_score,
        cast(null as date) as as_of_date
    from members
    where 1 = 0

)
{% endif %}

select * from final

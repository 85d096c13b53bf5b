{#- One row per person with a qualifying order: the features of the k-means clusters, as is and
    log-transformed (ln(1 + value)): recency (days since the last order), frequency (qualifying
    orders), monetary (net revenue) and engagement (the engagement score). The clustering step
    (segwh/clusters.py) standardises the log features and writes the centroids. -#}

with

rfm as (

    select * from {{ ref('customer_rfm') }}

),

engagement as (

    select * from {{ ref('customer_engagement') }}

),

final as (

    select
        rfm.customer_key,
        rfm.recency_days,
        rfm.frequency,
        rfm.monetary,
        coalesce(engagement.engagement_score, 0) as engagement_score,
        ln(1 + rfm.recency_days) as log_recency,
        ln(1 + rfm.frequency) as log_frequency,
        ln(1 + rfm.monetary) as log_monetary,
        ln(1 + coalesce(engagement.engagement_score, 0)) as log_engagement
    from rfm
    left join engagement
        on rfm.customer_key = engagement.customer_key

)

select * from final

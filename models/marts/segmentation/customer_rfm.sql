{#- One row per customer_key with at least one qualifying order on or before as_of_date: recency,
    frequency and monetary value, their tie-safe 1-to-5 scores and the RFM segment of the
    (r_score, f_score) cell from seeds/rfm_segment_map. -#}

with

orders as (

    select * from {{ ref('int_orders__attributed') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

per_customer as (

    select
        customer_key,
        {{ segwh.days_since('max(ordered_date)') }}
            as recency_days,
        count(*) as frequency,
        sum(net_revenue) as monetary
    from orders
    where is_qualifying and ordered_at < {{ segwh.as_of_end_timestamp() }}
    group by customer_key

),

ranked as (

    select
        customer_key,
        recency_days,
        frequency,
        monetary,
        rank() over (order by recency_days desc) as recency_rank,
        rank() over (order by frequency asc) as frequency_rank,
        rank() over (order by monetary asc) as monetary_rank,
        count(*) over () as scored_customers
    from per_customer

),

scored as (

    select
        customer_key,
        recency_days,
        frequency,
        monetary,
        {{ segwh.quintile_score('recency_rank', 'scored_customers') }} as r_score,
        {{ segwh.quintile_score('frequency_rank', 'scored_customers') }} as f_score,
        {{ segwh.quintile_score('monetary_rank', 'scored_customers') }} as m_score
    from ranked

),

final as (

    select
        scored.customer_key,
        cast(scored.r_score as {{ dbt.type_string() }})
        || cast(scored.f_score as {{ dbt.type_string() }})
        || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_map.rfm_segment,
        cast(scored.recency_days as integer) as recency_days,
        cast(scored.frequency as integer) as frequency,
        cast(scored.monetary as decimal(18, 2)) as monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score
    from scored
    left join segment_map
        on scored.r_score = segment_map.r_score
        and scored.f_score = segment_map.f_score

)

select * from final

{#- One row per person with a qualifying order: BG/NBD and Gamma-Gamma predictions as of
    as_of_date, scored in SQL with the parameters `segwh build` fitted for this date
    (marts.clv_model_parameters). Formulas (t = horizon in days; x, t_x, T from
    customer_purchase_statistics):
      p_alive = 1 when x = 0, else 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))
      expected purchases in (T, T + t] = p_alive * E[(1 - ((alpha + T) / (alpha + T + d t))^(r + x)) / d]
          over the dropout probability d ~ Beta(a, b + x) (the posterior of an active customer),
          integrated numerically: d = u^(1/a) with 32 Gauss-Legendre nodes u (seed) removes the
          singularity at 0; equal to the paper's closed form with the hypergeometric function
      expected_order_value = p (gamma + x m) / (p x + q - 1), the population mean p gamma / (q - 1)
          when x = 0 (m: repeat_order_value)
      predicted_clv_365d = expected purchases over var clv_lifetime_days * expected_order_value,
          discounted at var clv_annual_discount_rate from the middle of the period
      churn_risk = high / medium / low by vars churn_risk_high_min and churn_risk_medium_min.
    When the model was not fitted for this date, every prediction is empty and
    prediction_unavailable_reason says why. -#}

{%- set fitted_parameters = segwh.existing_relation('marts', 'clv_model_parameters') %}
{%- set horizon = var('clv_horizon_days') | int %}
{%- set lifetime = var('clv_lifetime_days') | int %}

with

statistics as (

    select * from {{ ref('customer_purchase_statistics') }}

),

nodes as (

    select * from {{ ref('gauss_legendre_nodes') }}

),

fits as (

    {% if fitted_parameters is not none -%}
    select
        model,
        parameter,
        value,
        fit_status,
        fit_reason
    from {{ fitted_parameters }}
    where as_of_date = {{ segwh.as_of_date() }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as model,  -- noqa: RF04
        cast(null as {{ dbt.type_string() }}) as parameter,
        cast(null as {{ segwh.type_double() }}) as value,  -- noqa: RF04
        cast(null as {{ dbt.type_string() }}) as fit_status,
        cast(null as {{ dbt.type_string() }}) as fit_reason
    from nodes
    where 1 = 0
    {%- endif %}

),

parameters as (

    select
        max(case when parameter = 'r' then value end) as param_r,
        max(case when parameter = 'alpha' then value end) as param_alpha,
        max(case when parameter = 'a' then value end) as param_a,
        max(case when parameter = 'b' then value end) as param_b,
        max(case when parameter = 'p' then value end) as param_p,
        max(case when parameter = 'q' then value end) as param_q,
        max(case when parameter = 'gamma' then value end) as param_gamma,
        max(fit_status) as fit_status,
        max(fit_reason) as fit_reason
    from fits

),

fitted as (

    select * from parameters
    where fit_status = 'fitted'

),

histories as (

    select distinct
        frequency,
        age_days
    from statistics

),

integrand as (

    select
        histories.frequency,
        histories.age_days,
        nodes.weight * exp((fitted.param_b + histories.frequency - 1) * ln(1 - power(nodes.node, 1 / fitted.param_a)))
            as density_weight,
        (
            1 - exp(-(fitted.param_r + histories.frequency) * ln(
                1 + power(nodes.node, 1 / fitted.param_a) * {{ horizon }} / (fitted.param_alpha + histories.age_days)
            ))
        ) / power(nodes.node, 1 / fitted.param_a) as horizon_purchases,
        (
            1 - exp(-(fitted.param_r + histories.frequency) * ln(
                1 + power(nodes.node, 1 / fitted.param_a) * {{ lifetime }} / (fitted.param_alpha + histories.age_days)
            ))
        ) / power(nodes.node, 1 / fitted.param_a) as lifetime_purchases
    from histories
    cross join nodes
    cross join fitted

),

purchases_if_active as (

    select
        frequency,
        age_days,
        sum(density_weight * horizon_purchases) / sum(density_weight) as horizon_purchases,
        sum(density_weight * lifetime_purchases) / sum(density_weight) as lifetime_purchases
    from integrand
    group by frequency, age_days

),

alive as (

    select
        statistics.customer_key,
        statistics.frequency,
        statistics.age_days,
        statistics.repeat_order_value,
        case
            when statistics.frequency = 0 then 1.0
            else 1.0 / (
                1.0 + fitted.param_a / (fitted.param_b + statistics.frequency - 1) * exp(least(
                    (fitted.param_r + statistics.frequency) * ln(
                        (fitted.param_alpha + statistics.age_days) / (fitted.param_alpha + statistics.recency_days)
                    ),
                    700
                ))
            )
        end as p_alive,
        case
            when statistics.frequency > 0
                then
                    fitted.param_p
                    * (fitted.param_gamma + statistics.frequency * coalesce(statistics.repeat_order_value, 0))
                    / (fitted.param_p * statistics.frequency + fitted.param_q - 1)
            else fitted.param_p * fitted.param_gamma / (fitted.param_q - 1)
        end as expected_order_value
    from statistics
    cross join fitted

),

scored as (

    select
        alive.customer_key,
        alive.p_alive,
        alive.p_alive * purchases_if_active.horizon_purchases as expected_purchases,
        alive.expected_order_value,
        alive.p_alive * purchases_if_active.lifetime_purchases * alive.expected_order_value
        / power(1 + {{ var('clv_annual_discount_rate') }}, {{ lifetime }} / 730.0) as predicted_clv
    from alive
    inner join purchases_if_active
        on alive.frequency = purchases_if_active.frequency and alive.age_days = purchases_if_active.age_days

),

ranked as (

    select
        scored.*,
        rank() over (order by predicted_clv) as clv_rank,
        count(*) over () as scored_customers
    from scored

),

final as (

    select
        statistics.customer_key,
        statistics.frequency,
        statistics.recency_days,
        statistics.age_days,
        statistics.repeat_order_value,
        cast(ranked.p_alive as decimal(9, 6)) as p_alive,
        cast(1 - ranked.p_alive as decimal(9, 6)) as churn_probability,
        cast(ranked.expected_purchases as decimal(12, 4)) as expected_purchases_90d,
        cast(ranked.expected_order_value as decimal(18, 2)) as expected_order_value,
        cast(ranked.predicted_clv as decimal(18, 2)) as predicted_clv_365d,
        case
            when ranked.p_alive is null then null
            when 1 - ranked.p_alive >= {{ var('churn_risk_high_min') }} then 'high'
            when 1 - ranked.p_alive >= {{ var('churn_risk_medium_min') }} then 'medium'
            else 'low'
        end as churn_risk,
        case
            when
                ranked.clv_rank is not null
                then {{ segwh.quintile_score('ranked.clv_rank', 'ranked.scored_customers') }}
        end
            as clv_score,
        case
            when parameters.fit_status is null
                then 'no model fitted for this as_of_date (segwh build fits it between the two parts of dbt build)'
            when parameters.fit_status <> 'fitted' then parameters.fit_status || ': ' || parameters.fit_reason
        end as prediction_unavailable_reason
    from statistics
    cross join parameters
    left join ranked
        on statistics.customer_key = ranked.customer_key

)

select * from final

{#- One row per lifecycle stage change of a person between two builds: from stage, to stage and the
    build date (as_of_date) it was seen. A person's first logged stage is not a transition. -#}

with

stage_log as (

    select * from {{ ref('lifecycle_stage_log') }}
    where as_of_date <= {{ segwh.as_of_date() }}

),

final as (

    select
        customer_key,
        previous_stage as from_stage,
        lifecycle_stage as to_stage,
        as_of_date as transitioned_on
    from stage_log
    where previous_stage is not null

)

select * from final

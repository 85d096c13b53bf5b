{#- One row per segment and build (as_of_date): member count and the population stability index
    (PSI) of the segment's RFM-segment mix and lifecycle-stage mix against the previous build.
    PSI = sum over categories of (p_now - p_before) * ln(p_now / p_before), with shares of 0
    replaced by var segment_drift_min_share; null at the first build or when either build has
    fewer than var segment_drift_min_members members (small segments swing by chance). Tests warn
    above var segment_drift_warn_psi and fail above segment_drift_fail_psi. -#}

{%- set min_members = var('segment_drift_min_members') %}
{%- set enough = 'member_counts.member_count >= ' ~ min_members
    ~ ' and previous_counts.member_count >= ' ~ min_members %}

with

mix_log as (

    select * from {{ ref('segment_mix_log') }}
    where as_of_date <= {{ segwh.as_of_date() }}

),

builds as (

    select distinct as_of_date
    from mix_log

),

build_pairs as (

    select
        builds.as_of_date,
        max(earlier_builds.as_of_date) as previous_as_of_date
    from builds
    left join builds as earlier_builds
        on builds.as_of_date > earlier_builds.as_of_date
    group by builds.as_of_date

),

shares as (

    select
        segment_name,
        mix_dimension,
        category,
        as_of_date,
        cast(members as {{ segwh.type_double() }})
        / sum(members) over (partition by segment_name, mix_dimension, as_of_date) as member_share
    from mix_log

),

segment_builds as (

    select
        definitions.segment_name,
        build_pairs.as_of_date,
        build_pairs.previous_as_of_date
    from {{ ref('int_segments__definitions') }} as definitions
    cross join build_pairs

),

categories as (

    select distinct
        segment_name,
        mix_dimension,
        category
    from mix_log

),

compared as (

    select
        segment_builds.segment_name,
        segment_builds.as_of_date,
        categories.mix_dimension,
        current_shares.member_share as current_share,
        previous_shares.member_share as previous_share
    from segment_builds
    inner join categories
        on segment_builds.segment_name = categories.segment_name
    left join shares as current_shares
        on segment_builds.segment_name = current_shares.segment_name
        and segment_builds.as_of_date = current_shares.as_of_date
        and categories.mix_dimension = current_shares.mix_dimension
        and categories.category = current_shares.category
    left join shares as previous_shares
        on segment_builds.segment_name = previous_shares.segment_name
        and segment_builds.previous_as_of_date = previous_shares.as_of_date
        and categories.mix_dimension = previous_shares.mix_dimension
        and categories.category = previous_shares.category

),

dimension_psi as (

    select
        segment_name,
        as_of_date,
        mix_dimension,
        case
            when count(current_share) > 0 and count(previous_share) > 0 then
                sum(
                    (
                        greatest(coalesce(current_share, 0), {{ var('segment_drift_min_share') }})
                        - greatest(coalesce(previous_share, 0), {{ var('segment_drift_min_share') }})
                    )
                    * ln(
                        greatest(coalesce(current_share, 0), {{ var('segment_drift_min_share') }})
                        / greatest(coalesce(previous_share, 0), {{ var('segment_drift_min_share') }})
                    )
                )
        end as psi
    from compared
    group by segment_name, as_of_date, mix_dimension

),

member_counts as (

    select
        segment_name,
        as_of_date,
        sum(members) as member_count
    from mix_log
    where mix_dimension = 'lifecycle_stage'
    group by segment_name, as_of_date

),

final as (

    select
        segment_builds.segment_name,
        cast(coalesce(member_counts.member_count, 0) as {{ dbt.type_bigint() }}) as member_count,
        cast(case when {{ enough }} then rfm_psi.psi end as decimal(12, 6)) as rfm_segment_psi,
        cast(case when {{ enough }} then lifecycle_psi.psi end as decimal(12, 6)) as lifecycle_stage_psi,
        segment_builds.as_of_date,
        segment_builds.previous_as_of_date,
        segment_builds.as_of_date = {{ segwh.as_of_date() }} as is_latest_build
    from segment_builds
    left join member_counts
        on segment_builds.segment_name = member_counts.segment_name
        and segment_builds.as_of_date = member_counts.as_of_date
    left join member_counts as previous_counts
        on segment_builds.segment_name = previous_counts.segment_name
        and segment_builds.previous_as_of_date = previous_counts.as_of_date
    left join dimension_psi as rfm_psi
        on segment_builds.segment_name = rfm_psi.segment_name
        and segment_builds.as_of_date = rfm_psi.as_of_date
        and rfm_psi.mix_dimension = 'rfm_segment'
    left join dimension_psi as lifecycle_psi
        on segment_builds.segment_name = lifecycle_psi.segment_name
        and segment_builds.as_of_date = lifecycle_psi.as_of_date
        and lifecycle_psi.mix_dimension = 'lifecycle_stage'

)

select * from final

-- Rule: seeds/rfm_segment_map maps each of the 25 (r_score, f_score) cells exactly once.
-- Returns each cell that is missing or mapped more than once.

with

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

scores as (

    {% for score in range(1, 6) %}
    select {{ score }} as score{{ " union all" if not loop.last }}
    {% endfor %}

),

grid as (

    select
        r_scores.score as r_score,
        f_scores.score as f_score
    from scores as r_scores
    cross join scores as f_scores

),

cell_counts as (

    select
        grid.r_score,
        grid.f_score,
        count(segment_map.rfm_segment) as mapped_times
    from grid
    left join segment_map
        on grid.r_score = segment_map.r_score
        and grid.f_score = segment_map.f_score
    group by grid.r_score, grid.f_score

)

select * from cell_counts
where mapped_times <> 1

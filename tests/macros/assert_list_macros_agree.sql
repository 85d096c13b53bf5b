-- Rule: the list macros behave the same on every engine: splitting 'sale|blog|events' gives three
-- parts, membership works, and sorted aggregation joins distinct values in order.
-- Returns each check that fails.

with

topics as (

    select
        'p1' as person_id,
        'sale|blog|events' as topics_text
    union all
    select
        'p2' as person_id,
        'blog' as topics_text

),

split_topics as (

    select
        person_id,
        {{ segwh.split_to_array('topics_text', '|') }} as topic_list
    from topics

),

checks as (

    select
        person_id,
        {{ segwh.array_size('topic_list') }} as topic_count,
        {{ segwh.array_has_value('topic_list', "'blog'") }} as has_blog,
        {{ segwh.array_has_value('topic_list', "'sale'") }} as has_sale
    from split_topics

),

failures as (

    select 'split and membership p1' as failed_check
    from checks
    where person_id = 'p1' and not (topic_count = 3 and has_blog and has_sale)
    union all
    select 'split and membership p2' as failed_check
    from checks
    where person_id = 'p2' and not (topic_count = 1 and has_blog and not has_sale)
    union all
    select 'sorted aggregation' as failed_check
    from (
        select {{ segwh.string_agg_sorted('segment_name', '|') }} as joined_names
        from (
            select 'loyal' as segment_name
            union all
            select 'champions' as segment_name
            union all
            select 'loyal' as segment_name
        ) as segment_names
    ) as aggregated
    where joined_names <> 'champions|loyal'

)

select * from failures

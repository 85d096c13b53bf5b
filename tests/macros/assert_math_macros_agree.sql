-- Rule: the math macros give the same exact results on every engine: the 90th continuous
-- percentile of 1..10 is 9.1, and the decay factor is 1 at age 0, 0.5 at one half-life and 0.25
-- at two; integer division and the 1-to-5 quintile score are exact. Returns each check that fails.

with

numbers as (

    {% for value in range(1, 11) %}
    select {{ value }} as value_number{{ " union all" if not loop.last }}
    {% endfor %}

),

percentile as (

    select {{ segwh.percentile_cont('value_number', 0.9) }} as p90
    from numbers

),

checks as (

    select
        'percentile_cont' as check_name,
        abs(p90 - 9.1) < 0.000001 as is_ok
    from percentile
    union all
    select
        'decay at age 0' as check_name,
        abs({{ segwh.exponential_decay('0', 30) }} - 1) < 0.000001 as is_ok
    union all
    select
        'decay at one half-life' as check_name,
        abs({{ segwh.exponential_decay('30', 30) }} - 0.5) < 0.000001 as is_ok
    union all
    select
        'integer_divide' as check_name,
        {{ segwh.integer_divide('7', '2') }} = 3 and {{ segwh.integer_divide('10', '5') }} = 2 as is_ok
    union all
    select
        'quintile_score' as check_name,
        {{ segwh.quintile_score('1', '1') }} = 1
        and {{ segwh.quintile_score('2', '11') }} = 1
        and {{ segwh.quintile_score('3', '11') }} = 2
        and {{ segwh.quintile_score('11', '11') }} = 5
        and {{ segwh.quintile_score('4', '4') }} = 5 as is_ok
    union all
    select
        'decay at two half-lives' as check_name,
        abs({{ segwh.exponential_decay('60', 30) }} - 0.25) < 0.000001 as is_ok

)

select * from checks
where not is_ok

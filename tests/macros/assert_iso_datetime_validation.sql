-- Rule: is_valid_iso_datetime accepts an ISO-8601 date or date-time (seconds, up to six
-- fraction digits and a UTC offset optional) only when it names a real calendar day and time:
-- months 01-12, days within their month (29 February in leap years only: divisible by 4, not
-- by 100 unless by 400), hours 00-23, minutes and seconds 00-59. parse_date (which uses it
-- without an offset) takes a day alone. Identically on every engine.
-- Returns each value judged otherwise.

{%- set samples = [
    ("2026-01-31", true, true),
    ("2026-12-31 23:59:59", true, false),
    ("2026-03-01T00:00", true, false),
    ("2026-03-01T10:00:00.123456", true, false),
    ("2026-03-01T10:00:00.1234567", false, false),
    ("2026-03-01T10:00:00.", false, false),
    ("2026-03-01T10:00:00Z", true, false),
    ("2026-03-01T10:00+05:30", true, false),
    ("2026-03-01T10:00:00-0500", true, false),
    ("2026-03-01T10:00:00+02", true, false),
    ("2026-03-01+02:00", false, false),
    ("2024-02-29", true, true),
    ("2000-02-29", true, true),
    ("1900-02-29", false, false),
    ("2023-02-29", false, false),
    ("2024-02-30", false, false),
    ("2026-04-30", true, true),
    ("2026-04-31", false, false),
    ("2026-06-31", false, false),
    ("2026-09-31", false, false),
    ("2026-11-31", false, false),
    ("2026-07-31", true, true),
    ("2026-08-31", true, true),
    ("2026-10-31", true, true),
    ("2026-01-32", false, false),
    ("2026-00-10", false, false),
    ("2026-13-01", false, false),
    ("2026-01-00", false, false),
    ("2026-01-01T24:00:00", false, false),
    ("2026-01-01T23:60", false, false),
    ("2026-01-01 23:59:60", false, false),
    ("2026-1-01", false, false),
    ("31/12/2025", false, false),
    ("abc", false, false),
    ("", false, false),
] %}

with

samples as (

    {% for text, expected, expected_date in samples %}
    select
        {{ loop.index }} as sample_number,
        cast('{{ text }}' as {{ dbt.type_string() }}) as sample_text,
        {{ expected }} as expected_valid,
        {{ expected_date }} as expected_date
    union all
    {% endfor %}
    select
        0 as sample_number,
        cast(null as {{ dbt.type_string() }}) as sample_text,
        false as expected_valid,
        false as expected_date

),

judged as (

    select
        sample_number,
        sample_text,
        expected_valid,
        expected_date,
        {{ segwh.is_valid_iso_datetime('sample_text') }} as judged_valid,
        {{ segwh.parse_date('sample_text') }} is not null as judged_date
    from samples

)

select *
from judged
where
    judged_valid is null
    or judged_valid <> expected_valid
    or judged_date <> expected_date

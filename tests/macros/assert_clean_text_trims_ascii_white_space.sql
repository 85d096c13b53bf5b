-- Rule: clean_text removes leading and trailing spaces, tabs, line feeds, vertical tabs, form
-- feeds and carriage returns (and nothing else: inner white space and a no-break space stay), and
-- gives null when nothing is left, identically on every engine (DuckDB's shortcut for values
-- with nothing to trim included: one trailing character of each kind, a first character above or
-- below the space). Returns each value that fails.

{%- set samples = [
    ("chr(9) || ' a b ' || chr(13) || chr(10)", "'a b'"),
    ("chr(11) || chr(12) || 'x'", "'x'"),
    ("' ' || chr(9) || chr(10) || ' '", "null"),
    ("''", "null"),
    ("'in' || chr(9) || 'side'", "'in' || chr(9) || 'side'"),
    ("chr(160) || 'nbsp'", "chr(160) || 'nbsp'"),
    ("null", "null"),
    ("' a'", "'a'"),
    ("'b '", "'b'"),
    ("'c' || chr(11)", "'c'"),
    ("'d' || chr(12)", "'d'"),
    ("chr(233) || ' ' || chr(13)", "chr(233)"),
    ("chr(1) || 'e' || chr(9)", "chr(1) || 'e'"),
    ("'plain'", "'plain'"),
] %}

with

samples as (

    {% for raw_text, expected_text in samples %}
    select
        {{ loop.index }} as sample_number,
        cast({{ raw_text }} as {{ dbt.type_string() }}) as raw_text,
        cast({{ expected_text }} as {{ dbt.type_string() }}) as expected_text
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

cleaned as (

    select
        sample_number,
        raw_text,
        expected_text,
        {{ segwh.clean_text('raw_text') }} as cleaned_text
    from samples

)

select *
from cleaned
where
    (cleaned_text is null and expected_text is not null)
    or (cleaned_text is not null and expected_text is null)
    or cleaned_text <> expected_text

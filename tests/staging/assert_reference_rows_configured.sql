-- Rule: the reporting currency has a rate and the default phone country has a calling code;
-- without them amounts and phone numbers would silently become null. Returns the missing one.

with

reporting_rate as (

    select count(*) as matching_rows
    from {{ ref('currency_rates') }}
    where currency_code = '{{ var("reporting_currency") }}'

),

default_country as (

    select count(*) as matching_rows
    from {{ ref('country_calling_codes') }}
    where country_code = '{{ var("default_phone_country") }}'

),

missing as (

    select 'reporting_currency {{ var("reporting_currency") }} has no row in currency_rates' as problem
    from reporting_rate
    where matching_rows = 0
    union all
    select 'default_phone_country {{ var("default_phone_country") }} has no row in country_calling_codes' as problem
    from default_country
    where matching_rows = 0

)

select * from missing

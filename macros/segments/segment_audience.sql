{#- Returns the query of one segment's relation for BI: every profile column of the segment's
    members who are not held out, plus when they entered the segment. -#}
{% macro segment_audience(segment_name) %}

with

membership as (

    select * from {{ ref('segment_membership') }}
    where segment_name = '{{ segment_name }}' and not is_holdout

),

profile as (

    select * from {{ ref('customer_profile') }}

),

final as (

    select
        profile.*,
        membership.entered_on
    from profile
    inner join membership
        on profile.customer_key = membership.customer_key

)

select * from final

{% endmacro %}

{#- Generic test: returns the rows of the latest build (is_latest_build) whose `column_name` is
    above `maximum`. -#}
{% test latest_value_at_most(model, column_name, maximum) %}

select *
from {{ model }}
where is_latest_build and {{ column_name }} > {{ maximum }}

{% endtest %}

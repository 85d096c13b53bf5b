{#- Returns the text column `column_name` as a UTC timestamp, or null when it is not a valid
    ISO-8601 date-time (see is_valid_iso_datetime). Values with an offset are converted to UTC;
    values without one are read in the `raw_timezone` var (default UTC). -#}
{% macro parse_timestamp(column_name) -%}
    case
        when {{ segwh.is_valid_iso_datetime(column_name) }}
            then {{ adapter.dispatch('timestamp_text_to_utc', 'segwh')(column_name, var('raw_timezone', 'UTC')) }}
    end
{%- endmacro %}

{#- Converts an already validated ISO-8601 text to a UTC timestamp without time zone. -#}
{% macro default__timestamp_text_to_utc(column_name, raw_timezone) -%}
    case
        when {{ segwh.matches_pattern(column_name, '.*(Z|[+-][0-9]{2}(:?[0-9]{2})?)') }} and length({{ column_name }}) > 10
            then (cast({{ column_name }} as timestamp with time zone) at time zone 'UTC')
        {%- if raw_timezone | upper == 'UTC' %}
        else cast({{ column_name }} as timestamp)
        {%- else %}
        else ((cast({{ column_name }} as timestamp) at time zone '{{ raw_timezone }}') at time zone 'UTC')
        {%- endif %}
    end
{%- endmacro %}

{% macro duckdb__timestamp_text_to_utc(column_name, raw_timezone) -%}
    case
        when {{ segwh.matches_pattern(column_name, '.*(Z|[+-][0-9]{2}(:?[0-9]{2})?)') }} and length({{ column_name }}) > 10
            then (cast({{ column_name }} as timestamptz) at time zone 'UTC')
        {%- if raw_timezone | upper == 'UTC' %}
        else cast({{ column_name }} as timestamp)
        {%- else %}
        else (timezone('{{ raw_timezone }}', cast({{ column_name }} as timestamp)) at time zone 'UTC')
        {%- endif %}
    end
{%- endmacro %}

{#- Spark's timestamp is an instant shown in the session time zone, which the profile sets to UTC. -#}
{% macro spark__timestamp_text_to_utc(column_name, raw_timezone) -%}
    case
        when {{ segwh.matches_pattern(column_name, '.*(Z|[+-][0-9]{2}(:?[0-9]{2})?)') }} and length({{ column_name }}) > 10
            then cast({{ column_name }} as timestamp)
        {%- if raw_timezone | upper == 'UTC' %}
        else cast({{ column_name }} as timestamp)
        {%- else %}
        else to_utc_timestamp(cast({{ column_name }} as timestamp), '{{ raw_timezone }}')
        {%- endif %}
    end
{%- endmacro %}

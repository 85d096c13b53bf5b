{#- Returns a boolean SQL expression: true when the text column `column_name` is an ISO-8601
    date or date-time (optionally with seconds, fractions up to microseconds and a UTC offset)
    that names a real calendar day and time. Every engine agrees on which values pass, so only
    those are cast and the rest are quarantined with the same reason everywhere. -#}
{% macro is_valid_iso_datetime(column_name, allow_offset=true) -%}
    {%- set date_part = '[0-9]{4}-[0-9]{2}-[0-9]{2}' -%}
    {%- set time_part = '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?' -%}
    {%- set offset_part = '(Z|[+-][0-9]{2}(:?[0-9]{2})?)' -%}
    {%- set month -%} cast(substr({{ column_name }}, 6, 2) as integer) {%- endset -%}
    {%- set year -%} cast(substr({{ column_name }}, 1, 4) as integer) {%- endset -%}
    case
        when
            {{ segwh.matches_pattern(column_name, date_part ~ '(' ~ time_part ~ ')?') }}
            {%- if allow_offset %}
            or {{ segwh.matches_pattern(column_name, date_part ~ time_part ~ offset_part) }}
            {%- endif %}
            then
                {{ month }} between 1 and 12
                and cast(substr({{ column_name }}, 9, 2) as integer) between 1 and (
                    case
                        when {{ month }} = 2
                            then case
                                when {{ year }} % 4 = 0 and ({{ year }} % 100 <> 0 or {{ year }} % 400 = 0)
                                    then 29
                                else 28
                            end
                        when {{ month }} in (4, 6, 9, 11) then 30
                        else 31
                    end
                )
                and (
                    case
                        when length({{ column_name }}) = 10 then true
                        when cast(substr({{ column_name }}, 12, 2) as integer) > 23 then false
                        when cast(substr({{ column_name }}, 15, 2) as integer) > 59 then false
                        when length({{ column_name }}) >= 19 and substr({{ column_name }}, 17, 1) = ':'
                            then cast(substr({{ column_name }}, 18, 2) as integer) <= 59
                        else true
                    end
                )
        else false
    end
{%- endmacro %}

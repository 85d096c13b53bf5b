{#- Returns the phone number in `column_name` in E.164 form ('+' and 8 to 15 digits, the first
    not 0), or null when it cannot be made one. `calling_code` is a SQL expression with the
    country calling code of the record ('1', '44', ...) used for national numbers:
      +<digits> and 00<digits> are international already;
      calling code 1 (NANP): 10 digits, or 11 digits starting with 1;
      other calling codes: a national number with the trunk prefix 0 (the 0 is dropped).
    Separators (spaces, dots, dashes, brackets) are ignored. -#}
{% macro phone_to_e164(column_name, calling_code) -%}
    {%- set candidate = segwh.phone_international_candidate(column_name, calling_code) -%}
    case
        when {{ segwh.matches_pattern(candidate, '[+][1-9][0-9]{7,14}') }}
            then {{ candidate }}
    end
{%- endmacro %}

{#- Returns '+' and the digits of `column_name` read as international (see phone_to_e164),
    before the E.164 length check; null when no rule applies. -#}
{% macro phone_international_candidate(column_name, calling_code) -%}
    {%- set digits = segwh.replace_pattern(column_name, '[^0-9]', '') -%}
    (case
        when {{ segwh.clean_text(column_name) }} like '+%' then '+' || {{ digits }}
        when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
        when {{ calling_code }} = '1' and length({{ digits }}) = 11 and {{ digits }} like '1%' then '+' || {{ digits }}
        when {{ calling_code }} = '1' and length({{ digits }}) = 10 then '+1' || {{ digits }}
        when {{ calling_code }} <> '1' and {{ digits }} like '0%' then '+' || {{ calling_code }} || substr({{ digits }}, 2)
    end)
{%- endmacro %}

{#- Returns the config of an incremental model kept by date (`date_column`) for the target:
    appended after clear_incremental_window removed the recomputed days; on Spark a Parquet table
    partitioned by that date (so the clearing is a partition drop). -#}
{% macro incremental_event_config(date_column='event_date') %}
    {{ return(adapter.dispatch('incremental_event_config', 'segwh')(date_column)) }}
{% endmacro %}

{% macro default__incremental_event_config(date_column) %}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append'}) }}
{% endmacro %}

{% macro spark__incremental_event_config(date_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'file_format': 'parquet',
        'partition_by': [date_column],
    }) }}
{% endmacro %}

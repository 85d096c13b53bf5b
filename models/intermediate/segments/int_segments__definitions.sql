{#- One row per segment defined in segments.yml (through the generated macro
    segment_definitions): name, texts, nesting, exclusive group and holdout settings. -#}

with

definitions as (

    {% for segment in segwh.segment_definitions() %}
    select
        {{ segwh.string_literal(segment.name) }} as segment_name,
        {{ segwh.string_literal(segment.description) }} as segment_description,
        {{ segwh.string_literal(segment.owner) }} as segment_owner,
        {{ segwh.string_literal(segment.tags) }} as tags,
        {{ segwh.string_literal(segment.parent) if segment.parent else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as parent_segment,
        {{ segwh.string_literal(segment.path) }} as segment_path,
        {{ segwh.string_literal(segment.group) if segment.group else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as exclusive_group,
        {{ segwh.string_literal(segment.rule) }} as rule_text,
        {{ segwh.string_literal(segment.definition_hash) }} as definition_hash,
        {{ segwh.string_literal(segment.holdout_threshold) }} as holdout_threshold,
        cast({{ segment.depth }} as integer) as nesting_depth,
        cast({{ segment.priority if segment.priority is not none else 'null' }} as integer) as group_priority,
        cast({{ segment.holdout_percent }} as decimal(5, 2)) as holdout_percent
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from definitions

{{ config(materialized='label_propagation') }}

{#- One row per node with its connected component (see macros/identity/label_propagation.sql). -#}

select
    node_a,
    node_b
from {{ ref('int_identity__edges') }}

-- Rule: sha256_hex gives the published SHA-256 test vectors on every engine.
-- Returns the inputs whose digest differs.

with

vectors as (

    select
        'abc' as input_text,
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' as expected_hex
    union all
    select
        '' as input_text,
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' as expected_hex

),

computed as (

    select
        input_text,
        expected_hex,
        {{ segwh.sha256_hex('input_text') }} as actual_hex
    from vectors

)

select * from computed
where actual_hex <> expected_hex or actual_hex is null

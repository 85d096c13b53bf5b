"""Segments in the warehouse: every shipped rule evaluated in plain Python over the profile rows
gives exactly marts.segment_membership; holdouts follow the hash; and building day 1 then day 2
records exactly the entries and exits between the two days, on every target."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from conftest import Build
from segwh import dbt_runner, segments


def profile_rows(built: Build) -> list[dict[str, Any]]:
    columns = list(segments.profile_columns())
    rows = built.rows(f"select {', '.join(columns)} from marts.customer_profile")
    return [dict(zip(columns, row)) for row in rows]


def membership(built: Build) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for customer_key, segment_name in built.rows("select customer_key, segment_name from marts.segment_membership"):
        result.setdefault(segment_name, set()).add(customer_key)
    return result


def test_every_shipped_rule_matches_a_python_evaluation(built: Build) -> None:
    definitions = segments.load()
    expected = segments.members(definitions, profile_rows(built), date.fromisoformat(built.as_of_date))
    actual = membership(built)
    for definition in definitions:
        assert actual.get(definition.name, set()) == expected[definition.name], definition.name
    non_empty = [name for name, keys in expected.items() if keys]
    assert len(non_empty) >= len(definitions) - 2, expected
    # the catalogue counts what the membership holds
    counts = dict(built.rows("select segment_name, member_count from marts.segments"))
    assert {name: int(count) for name, count in counts.items()} == {name: len(keys) for name, keys in expected.items()}


def test_holdouts_are_the_hash_share_of_members(built: Build) -> None:
    thresholds = {item.name: segments.holdout_threshold(item.holdout_percent) for item in segments.load()}
    rows = built.rows("select customer_key, segment_name, is_holdout from marts.segment_membership")
    assert any(is_holdout for _, _, is_holdout in rows)
    for customer_key, segment_name, is_holdout in rows:
        assert bool(is_holdout) == (segments.holdout_bucket(segment_name, customer_key) < thresholds[segment_name])
    held = {(row[0], row[1]) for row in built.rows("select customer_key, segment_name from marts.segment_holdouts")}
    assert held == {(key, name) for key, name, is_holdout in rows if is_holdout}


def test_day_two_records_exactly_who_entered_and_left(built: Build) -> None:
    definitions = segments.load()
    end = date.fromisoformat(built.as_of_date)
    day_one = end - timedelta(days=1)
    try:
        dbt_runner.invoke(["run"], built.target, {"as_of_date": day_one.isoformat()})
        members_one = segments.members(definitions, profile_rows(built), day_one)
        stages_one = dict(built.rows("select customer_key, lifecycle_stage from marts.customer_lifecycle"))
        assert membership(built) == {name: keys for name, keys in members_one.items() if keys}
    finally:
        dbt_runner.invoke(["run"], built.target, {"as_of_date": end.isoformat()})
    members_two = segments.members(definitions, profile_rows(built), end)
    stages_two = dict(built.rows("select customer_key, lifecycle_stage from marts.customer_lifecycle"))

    changes = {(row[0], row[1], row[2]) for row in built.rows(
        "select customer_key, segment_name, change_type from marts.segment_changes")}
    expected_changes = set()
    for name in members_two:
        expected_changes |= {(key, name, "entered") for key in members_two[name] - members_one[name]}
        expected_changes |= {(key, name, "left") for key in members_one[name] - members_two[name]}
    assert expected_changes, "the two days should differ"
    assert changes == expected_changes

    transitions = {(row[0], row[1], row[2]) for row in built.rows(
        f"select customer_key, from_stage, to_stage from marts.lifecycle_transitions "
        f"where transitioned_on = cast('{end.isoformat()}' as date)")}
    expected_transitions = {(key, stages_one[key], stage) for key, stage in stages_two.items()
                            if key in stages_one and stages_one[key] != stage}
    assert transitions == expected_transitions

    # spells: a person who entered on day two has an open spell starting that day
    spells = {(row[0], row[1]) for row in built.rows(
        f"select customer_key, segment_name from marts.segment_membership_history "
        f"where is_current and valid_from = cast('{end.isoformat()}' as date)")}
    assert spells == {(key, name) for key, name, change in expected_changes if change == "entered"}

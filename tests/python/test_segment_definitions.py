"""segments.yml is checked before anything runs: every mistake is refused with the segment's name
and the problem, and a rule can only be an expression over the profile row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from segwh import segments

COLUMNS = {"customer_key": "text", "region": "text", "m_score": "integer", "last_order_date": "date",
           "has_abandoned_cart": "boolean", "net_revenue": "decimal(18,2)"}


def load(tmp_path: Path, body: str) -> list[segments.Segment]:
    path = tmp_path / "segments.yml"
    path.write_text("segments:\n" + body)
    return segments.load(path, COLUMNS)


def segment(name: str, rule: str, extra: str = "") -> str:
    return f"  - name: {name}\n    description: d\n    owner: o\n    rule: \"{rule}\"\n{extra}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (segment("a", "nope = 1"), "segment 'a': the rule does not compile: unknown column 'nope'"),
        (segment("a", "m_score >= "), "segment 'a': the rule does not compile"),
        (segment("a", "m_score = 1") + segment("a", "m_score = 2"), "segment 'a': duplicate name"),
        (segment("b", "m_score = 1", "    parent: missing\n"), "segment 'b': parent 'missing' does not exist"),
        (segment("a", "m_score = 1", "    parent: b\n") + segment("b", "m_score = 1", "    parent: a\n"),
         "segment 'a': its parents form a cycle (a -> b -> a)"),
        (segment("Bad-Name", "m_score = 1"), "segment 'Bad-Name': the name must be a safe identifier"),
        (segment("a", "m_score = 1; drop table marts.customer_profile"), "segment 'a': the rule does not compile"),
        (segment("a", "customer_key in (select customer_key from raw.orders)"), "segment 'a': the rule does not compile"),
        (segment("a", "exists(m_score)"), "unknown function 'exists'"),
        (segment("a", "m_score = 1 -- comment"), "segment 'a': the rule does not compile"),
        (segment("a", "region = 'CA' union select 1"), "segment 'a': the rule does not compile"),
        (segment("a", "m_score = 1", "    group: g\n"), "segment 'a': 'group' and 'priority' go together"),
        (segment("a", "m_score = 1", "    group: g\n    priority: 1\n")
         + segment("b", "m_score = 2", "    group: g\n    priority: 1\n"), "segment 'b': group 'g' already has priority 1"),
        (segment("a", "m_score = 1", "    holdout_percent: 100\n"), "segment 'a': holdout_percent must be"),
        ("  - name: a\n    owner: o\n    rule: m_score = 1\n", "segment 'a': 'description' is required"),
    ],
)
def test_bad_definitions_are_refused_by_name(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(segments.SegmentError) as error:
        load(tmp_path, body)
    assert message in str(error.value)


def test_a_rule_that_parses_but_cannot_run_is_refused(tmp_path: Path) -> None:
    definitions = load(tmp_path, segment("a", "last_order_date > 5"))
    with pytest.raises(segments.SegmentError, match="segment 'a': the rule does not compile"):
        segments.check_compiles(definitions, COLUMNS, date(2026, 3, 31))


def test_rules_follow_sql_three_valued_logic(tmp_path: Path) -> None:
    definitions = load(
        tmp_path,
        segment("recent", "last_order_date >= days_ago(30) and not has_abandoned_cart")
        + segment("not_ca", "region <> 'CA'")
        + segment("ranged", "m_score between 2 and 4 or net_revenue * 2 > 100")
        + segment("missing_region", "region is null"),
    )
    rows = [
        {"customer_key": "k1", "region": "CA", "m_score": 5, "last_order_date": date(2026, 3, 1),
         "has_abandoned_cart": False, "net_revenue": Decimal("10")},
        {"customer_key": "k2", "region": None, "m_score": None, "last_order_date": None,
         "has_abandoned_cart": None, "net_revenue": Decimal("60")},
        {"customer_key": "k3", "region": "NY", "m_score": 3, "last_order_date": date(2026, 2, 28),
         "has_abandoned_cart": False, "net_revenue": None},
    ]
    members = segments.members(definitions, rows, date(2026, 3, 31))
    # 2026-03-01 is exactly 30 days before; 2026-02-28 is 31
    assert members["recent"] == {"k1"}
    # a comparison with NULL is unknown: k2 is neither CA nor not CA
    assert members["not_ca"] == {"k3"}
    assert members["ranged"] == {"k2", "k3"}
    assert members["missing_region"] == {"k2"}


def test_nesting_and_exclusive_groups(tmp_path: Path) -> None:
    definitions = load(
        tmp_path,
        segment("child", "m_score >= 1", "    parent: parent\n")
        + segment("parent", "m_score >= 3")
        + segment("second", "m_score >= 1", "    group: flows\n    priority: 2\n")
        + segment("first", "m_score >= 4", "    group: flows\n    priority: 1\n"),
    )
    assert [item.name for item in definitions].index("parent") < [item.name for item in definitions].index("child")
    assert next(item for item in definitions if item.name == "child").path == "parent/child"
    rows = [{"customer_key": f"k{score}", "m_score": score, "region": None, "last_order_date": None,
             "has_abandoned_cart": None, "net_revenue": None} for score in range(1, 6)]
    members = segments.members(definitions, rows, date(2026, 3, 31))
    assert members["child"] == {"k3", "k4", "k5"}
    assert members["first"] == {"k4", "k5"}
    assert members["second"] == {"k1", "k2", "k3"}


def test_shipped_definitions_are_valid_and_generated_files_are_current() -> None:
    columns = segments.profile_columns()
    definitions = segments.load(columns=columns)
    segments.check_compiles(definitions, columns, date(2026, 3, 31))
    names = {item.name for item in definitions}
    assert {"champions", "abandoned_cart", "high_value", "recent_high_value", "california_recent_buyers"} <= names
    assert segments.stale_files(definitions) == []


def test_holdout_threshold_is_the_share_of_hash_buckets() -> None:
    assert segments.holdout_threshold(Decimal(0)) == "0000"
    assert segments.holdout_threshold(Decimal(10)) == "1999"
    assert segments.holdout_threshold(Decimal(50)) == "8000"
    buckets = [segments.holdout_bucket("abandoned_cart", f"key{index}") for index in range(20000)]
    share = sum(bucket < segments.holdout_threshold(Decimal(10)) for bucket in buckets) / len(buckets)
    assert 0.09 < share < 0.11

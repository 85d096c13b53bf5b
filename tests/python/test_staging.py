"""Staging on every target, against the generator's planted ground truth: every raw row lands
exactly once, and the planted mess is caught where it should be."""

from __future__ import annotations

import pandas as pd
from conftest import Build
from truth import planted, planted_rows

from segwh.staging_layout import STAGING_TABLES


def raw_rows(build: Build, table: str) -> set[int]:
    return {row[0] for row in build.rows(f"select raw_row_number from raw.{table}")}


def quarantined(build: Build, table: str, reason: str | None = None) -> set[int]:
    condition = f" and reason_code = '{reason}'" if reason else ""
    return {
        row[0]
        for row in build.rows(
            f"select raw_row_number from staging.stg_quarantined_rows where source_table = '{table}'{condition}"
        )
    }


def superseded(build: Build, table: str) -> set[int]:
    return {
        row[0]
        for row in build.rows(f"select raw_row_number from staging.stg_superseded_rows where source_table = '{table}'")
    }


def staged(build: Build, model: str) -> list[int]:
    return [row[0] for row in build.rows(f"select raw_row_number from staging.{model}")]


def test_every_raw_row_lands_in_exactly_one_place(built: Build) -> None:
    for table, model in STAGING_TABLES.items():
        raw = raw_rows(built, table)
        places = [set(staged(built, model)), quarantined(built, table), superseded(built, table)]
        assert sum(len(place) for place in places) == len(raw), table
        assert set().union(*places) == raw, table
    unaccounted = built.rows("select source_table, unaccounted_rows from staging.stg_raw_row_accounting where unaccounted_rows <> 0")
    assert unaccounted == []


def test_planted_malformed_emails_are_flagged(built: Build) -> None:
    malformed = planted_rows(built.dataset.truth_dir, "malformed_email", "customers")
    assert malformed
    flagged = {
        row[0]
        for row in built.rows("select raw_row_number from staging.base_crm__customers where has_invalid_email and email is null")
    }
    missing = malformed - flagged - quarantined(built, "customers")
    assert not missing, f"malformed emails neither flagged nor quarantined: raw rows {sorted(missing)[:10]}"
    # and nothing valid was flagged: every flagged row was planted malformed
    assert flagged - malformed == set()


def test_every_duplicate_delivery_is_removed(built: Build) -> None:
    """Of a delivered event and its planted repeat, exactly one is staged; the other is set aside."""
    for table, model in (("web_events", "stg_web__events"), ("email_events", "stg_esp__email_events")):
        duplicates = planted(built.dataset.truth_dir, "duplicate_delivery", table)
        assert len(duplicates) > 0, table
        staged_rows = set(staged(built, model))
        set_aside = superseded(built, table) | quarantined(built, table)
        for repeat, original in zip(duplicates.raw_row_number, duplicates.detail.astype(int)):
            pair = {int(repeat), int(original)}
            assert len(pair & staged_rows) <= 1, (table, pair)
            assert len(pair & set_aside) >= 1, (table, pair)
    repeated = built.rows("select event_id from staging.stg_web__events group by event_id having count(*) > 1")
    assert repeated == []


def test_planted_bad_orders_are_quarantined_with_their_reason(built: Build) -> None:
    truth = built.dataset.truth_dir
    expectations = {
        "null_id": "missing_key",
        "negative_amount": "negative_amount",
        "unparseable_amount": "invalid_amount",
        "future_dated": "after_as_of_date",
        "invalid_timestamp": "invalid_timestamp",
    }
    for behaviour, reason in expectations.items():
        rows = planted_rows(truth, behaviour, "orders")
        assert rows, behaviour
        # a superseded older version may carry the mess too; then it is set aside, not staged
        caught = quarantined(built, "orders", reason) | superseded(built, "orders")
        assert rows <= caught | quarantined(built, "orders"), behaviour
        assert rows & quarantined(built, "orders", reason), behaviour
        assert not rows & set(staged(built, "stg_shop__orders")), behaviour


def test_the_latest_usable_version_of_each_order_wins(built: Build) -> None:
    """Recomputed in pandas from the raw file and the planted mess: per order id, the usable row
    with the latest updated_at (then the later file row) is the one staged."""
    truth = built.dataset.truth_dir
    orders = pd.read_csv(built.dataset.raw_dir / "orders.csv", dtype=str, keep_default_na=False)
    orders["raw_row_number"] = range(1, len(orders) + 1)
    unusable: set[int] = set()
    for behaviour in ("null_id", "negative_amount", "unparseable_amount", "future_dated", "invalid_timestamp"):
        unusable |= planted_rows(truth, behaviour, "orders")
    usable = orders[~orders.raw_row_number.isin(unusable)]
    expected = (
        usable.sort_values(["updated_at", "raw_row_number"]).groupby("order_id").raw_row_number.last().to_dict()
    )
    actual = dict(built.rows("select order_id, raw_row_number from staging.stg_shop__orders"))
    assert actual == expected
    assert planted_rows(truth, "superseded_version", "orders") & set(superseded(built, "orders"))
    # the stale city of older CRM versions never wins
    assert built.scalar("select count(*) from staging.stg_crm__customers where city = 'Oldtown'") == 0


def test_null_customer_ids_are_quarantined(built: Build) -> None:
    rows = planted_rows(built.dataset.truth_dir, "null_id", "customers")
    assert rows
    assert rows <= quarantined(built, "customers", "missing_key")

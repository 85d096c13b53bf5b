"""The Great Expectations quality gate catches planted violations with the right counts, lets the
clean demo through, and records every result in the warehouse. Raw checks run on hand-made files
in a throw-away DuckDB file; the marts and activation checks run on the real builds (DuckDB and
PostgreSQL: the gate does not run on Spark)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from conftest import Build
from segwh.loader import load
from segwh.quality import connection
from segwh.quality.runner import Outcome, run_stage
from segwh.warehouse import DuckDBWarehouse

ORDERS_HEADER = "order_id,customer_id,email,ordered_at,amount,status\n"
CUSTOMERS_HEADER = "customer_id,email,first_name,signed_up_at\n"
END = date(2026, 3, 31)


def failed(outcomes: list[Outcome], suite: str, label: str) -> Outcome | None:
    for outcome in outcomes:
        name = outcome.description.split(":")[0] if outcome.expectation == "unexpected_rows_expectation" else outcome.expectation
        if outcome.suite == suite and name == label and not outcome.success:
            return outcome
    return None


@pytest.fixture()
def raw_warehouse(tmp_path: Path) -> Iterator[Path]:
    previous = os.environ.get("DUCKDB_PATH")
    os.environ["DUCKDB_PATH"] = str(tmp_path / "raw_gate.duckdb")
    yield tmp_path
    if previous is None:
        del os.environ["DUCKDB_PATH"]
    else:
        os.environ["DUCKDB_PATH"] = previous


def write_files(folder: Path, orders: int, malformed_emails: int, newest: date = END) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    order_lines = [
        f"O{index:05d},C{index % 50:04d},,{(newest - timedelta(days=index % 20)).isoformat()} 10:00:00,{10 + index}.50,completed\n"
        for index in range(orders)
    ]
    (folder / "orders.csv").write_text(ORDERS_HEADER + "".join(order_lines))
    customer_lines = []
    for index in range(100):
        email = "not an email" if index < malformed_emails else f"person{index}@example-shop.com"
        customer_lines.append(f"C{index:04d},{email},Name{index},2025-01-01 10:00:00\n")
    (folder / "customers.csv").write_text(CUSTOMERS_HEADER + "".join(customer_lines))
    return folder


def load_and_check(folder: Path, as_of: date) -> tuple[int, list[Outcome]]:
    warehouse = DuckDBWarehouse()
    try:
        load(folder, warehouse)
    finally:
        warehouse.close()
    return run_stage("raw", "duckdb", as_of, show=False)


def test_five_percent_malformed_emails_fail_the_raw_gate_with_their_count(raw_warehouse: Path) -> None:
    code, outcomes = load_and_check(write_files(raw_warehouse / "bad", 100, malformed_emails=5), END)
    outcome = failed(outcomes, "raw.customers", "invalid_email")
    assert code == 1 and outcome is not None
    assert int(outcome.unexpected_count or 0) == 5
    assert "not an email" in outcome.examples
    # one malformed address in a hundred is within the 98% threshold
    code, outcomes = load_and_check(write_files(raw_warehouse / "fine", 100, malformed_emails=1), END)
    assert failed(outcomes, "raw.customers", "invalid_email") is None
    assert code == 0, [outcome for outcome in outcomes if not outcome.success]


def test_a_daily_run_checks_the_rows_of_the_newest_load(raw_warehouse: Path) -> None:
    """The share checks read the newest load (when it has share_min_load_rows rows): a day of
    clean files appended after a bad day passes, a bad day fails with its own rows, not the
    earlier day's again; a load too small for a share is read with the small loads before it,
    never with a load of share_min_load_rows rows or more (judged on its own when it arrived),
    and while they hold fewer rows than that the share is taken of share_min_load_rows rows."""
    folder = write_files(raw_warehouse / "daily", 100, malformed_emails=0)
    (folder / "customers.csv").unlink()
    (folder / "customers").mkdir()

    def add_day(name: str, first_id: int, rows: int, malformed_emails: int) -> None:
        lines = [f"C{first_id + index:05d},{'not an email' if index < malformed_emails else f'p{first_id + index}@example-shop.com'},"
                 f"Name{index},2025-01-01 10:00:00\n" for index in range(rows)]
        (folder / "customers" / f"{name}.csv").write_text(CUSTOMERS_HEADER + "".join(lines))

    def invalid_emails() -> int | None:
        code, outcomes = load_and_check(folder, END)
        outcome = failed(outcomes, "raw.customers", "invalid_email")
        assert (code == 1) == (outcome is not None), [outcome for outcome in outcomes if not outcome.success]
        return None if outcome is None else int(outcome.unexpected_count or 0)

    add_day("2026-03-28", 0, 1000, malformed_emails=50)
    assert invalid_emails() == 50
    add_day("2026-03-29", 1000, 1000, malformed_emails=0)
    assert invalid_emails() is None
    add_day("2026-03-30", 2000, 1000, malformed_emails=40)
    assert invalid_emails() == 40
    # 30 rows, 25 of them malformed: under 1,000 rows, and the load before it has 1,000, so this
    # load alone is read (25, not 65 with 2026-03-30) and 25 is more than 2% of 1,000 rows
    add_day("2026-03-31", 3000, 30, malformed_emails=25)
    assert invalid_emails() == 25
    # 30 rows, 10 malformed: read with the small day before (35 of 60 rows, more than 2% of 1,000)
    add_day("2026-04-01", 3030, 30, malformed_emails=10)
    assert invalid_emails() == 35
    add_day("2026-04-02", 3060, 1000, malformed_emails=0)
    assert invalid_emails() is None
    # 30 rows, 10 malformed after a 1,000-row day: 10 is not more than 2% of 1,000 rows
    add_day("2026-04-03", 4060, 30, malformed_emails=10)
    assert invalid_emails() is None
    # 990 rows, 12 malformed: read with the 30 of the day before, 22 of 1,020 (over 2%); alone
    # (12 of 1,000) or with 2026-04-02 too (22 of 2,020) it would pass
    add_day("2026-04-04", 4090, 990, malformed_emails=12)
    assert invalid_emails() == 22


def test_a_truncated_orders_file_fails_the_volume_band(raw_warehouse: Path) -> None:
    for days_back in (3, 2, 1):
        code, _ = load_and_check(write_files(raw_warehouse / f"day{days_back}", 100, 0, END - timedelta(days=days_back)),
                                 END - timedelta(days=days_back))
        assert code == 0
    code, outcomes = load_and_check(write_files(raw_warehouse / "truncated", 40, 0), END)
    outcome = failed(outcomes, "raw.orders", "expect_table_row_count_to_be_between")
    assert code == 1 and outcome is not None
    assert outcome.observed_value == "40"
    # the customers file kept its size: no volume alarm there
    assert failed(outcomes, "raw.customers", "expect_table_row_count_to_be_between") is None


def test_a_stale_source_fails_freshness(raw_warehouse: Path) -> None:
    folder = write_files(raw_warehouse / "stale", 100, 0, newest=END - timedelta(days=10))
    code, outcomes = load_and_check(folder, END)
    outcome = failed(outcomes, "raw.orders", "stale")
    assert code == 1 and outcome is not None
    assert outcome.examples and outcome.examples[0].startswith((END - timedelta(days=10)).isoformat())
    code, outcomes = load_and_check(folder, END - timedelta(days=10))
    assert failed(outcomes, "raw.orders", "stale") is None


def test_freshness_reads_the_newest_load_only_when_it_holds_a_fresh_row(raw_warehouse: Path) -> None:
    """A day of fresh orders appended to a stale history makes the table fresh; a back-filled day
    of old orders appended to a fresh history leaves it fresh (the whole table is read then); a
    stale day appended to a stale history is still stale, with the table's newest time."""
    def add_day(folder: Path, name: str, day: date) -> None:
        (folder / "orders").mkdir(exist_ok=True)
        (folder / "orders" / f"{name}.csv").write_text(
            ORDERS_HEADER + f"D{name},C0001,,{day.isoformat()} 12:00:00,9.50,completed\n")

    stale = write_files(raw_warehouse / "stale_history", 100, 0, newest=END - timedelta(days=10))
    add_day(stale, "old-day", END - timedelta(days=12))
    code, outcomes = load_and_check(stale, END)
    outcome = failed(outcomes, "raw.orders", "stale")
    assert code == 1 and outcome is not None
    assert outcome.examples[0].startswith((END - timedelta(days=10)).isoformat())
    add_day(stale, "new-day", END)
    code, outcomes = load_and_check(stale, END)
    assert failed(outcomes, "raw.orders", "stale") is None, outcomes

    fresh = write_files(raw_warehouse / "fresh_history", 100, 0)
    load_and_check(fresh, END)
    add_day(fresh, "back-filled", END - timedelta(days=30))
    code, outcomes = load_and_check(fresh, END)
    assert failed(outcomes, "raw.orders", "stale") is None, outcomes


def test_each_run_renders_its_validations_into_data_docs(raw_warehouse: Path) -> None:
    """Every suite of a run gets its validation page and a link in the Data Docs index, built
    once per stage; the index is capped (validation_results_limit), so it lists the newest."""
    site = connection.GX_WORK_ROOT / "gx" / "uncommitted" / "data_docs" / "local_site"
    folder = write_files(raw_warehouse / "docs", 100, 0)

    def newest_pages() -> dict[str, str]:
        index = (site / "index.html").read_text()
        pages: dict[str, str] = {}
        for suite, run_time in re.findall(r"validations/raw/(\w+)/__none__/(\d{8}T\d{6}\.\d+Z)", index):
            pages[suite] = max(pages.get(suite, ""), run_time)
        return pages

    load_and_check(folder, END)
    first = newest_pages()
    load_and_check(folder, END)
    second = newest_pages()
    assert {"orders", "customers"} <= set(second)
    for suite in ("orders", "customers"):
        assert second[suite] > first[suite]
        assert list((site / "validations" / "raw" / suite / "__none__" / second[suite]).glob("*.html"))
    links = re.findall(r"validations/[\w/.-]+?\.html", (site / "index.html").read_text())
    assert 0 < len(set(links)) <= 200


def _gate_targets(built: Build) -> None:
    if built.target == "spark":
        pytest.skip("the quality gate runs on DuckDB and PostgreSQL (README: quality gate)")


def test_the_clean_build_passes_the_marts_gate_and_is_recorded(built: Build) -> None:
    _gate_targets(built)
    before = built.scalar("select count(*) from quality.quality_results") if "quality_results" in built.warehouse.relations("quality") else 0
    code, outcomes = run_stage("marts", built.target, date.fromisoformat(built.as_of_date), show=False)
    assert code == 0, [outcome for outcome in outcomes if not outcome.success]
    after = built.scalar("select count(*) from quality.quality_results")
    assert after - before == len(outcomes) > 10
    assert built.scalar("select count(distinct run_id) from quality.quality_results where stage = 'marts'") >= 1


def test_an_r_score_of_six_fails_the_marts_gate(built: Build) -> None:
    _gate_targets(built)
    built.warehouse.execute(
        "insert into marts.customer_rfm (customer_key, rfm_cell, rfm_segment, recency_days, frequency, monetary, "
        "r_score, f_score, m_score) values ('planted-six', '611', 'champions', 1, 1, 1.00, 6, 1, 1)"
    )
    try:
        code, outcomes = run_stage("marts", built.target, date.fromisoformat(built.as_of_date), show=False)
    finally:
        built.warehouse.execute("delete from marts.customer_rfm where customer_key = 'planted-six'")
    failures = [outcome for outcome in outcomes if not outcome.success]
    assert code == 1
    assert [(outcome.suite, outcome.expectation, outcome.unexpected_count) for outcome in failures] == [
        ("marts.customer_rfm", "expect_column_values_to_be_between", 1)
    ], [(outcome.description[:40], outcome.examples) for outcome in failures]


def test_an_unsubscribed_person_in_the_audience_fails_the_activation_gate(built: Build) -> None:
    _gate_targets(built)
    unsubscribed = built.scalar(
        """
        select min(esp.email) from staging.stg_esp__email_events as esp
        where esp.event_type = 'unsubscribe' and not exists (
            select 1 from staging.stg_consent__events as regrant
            where regrant.email = esp.email and regrant.consent_status = 'granted' and regrant.occurred_at > esp.occurred_at
        )
        """
    )
    consented = built.scalar("select min(email) from activation.esp_audience")
    assert unsubscribed and consented
    built.warehouse.execute("drop table if exists activation.audience_under_test")
    # two rows shaped like the built audience: a consented address and an unsubscribed one
    built.warehouse.execute(
        "create table activation.audience_under_test as select * from activation.esp_audience where email = "
        f"'{consented}'")
    columns = [name for (name,) in built.rows(
        "select column_name from information_schema.columns where table_schema = 'activation' "
        "and table_name = 'esp_audience' order by ordinal_position")]
    values = ", ".join(f"'{unsubscribed}'" if name == "email" else "'key-unsubscribed'" if name == "customer_key" else name
                       for name in columns)
    built.warehouse.execute(f"insert into activation.audience_under_test select {values} from activation.audience_under_test")
    try:
        code, outcomes = run_stage("activation", built.target, date.fromisoformat(built.as_of_date),
                                   audience_table="activation.audience_under_test", show=False)
    finally:
        built.warehouse.execute("drop table activation.audience_under_test")
    outcome = failed(outcomes, "activation.audience_under_test", "suppressed")
    assert code == 1 and outcome is not None
    assert int(outcome.unexpected_count or 0) == 1
    assert outcome.examples == [unsubscribed]
    assert failed(outcomes, "activation.audience_under_test", "erased") is None

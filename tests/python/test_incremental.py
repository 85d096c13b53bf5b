"""Incremental event models (base web and email events, sessionized events, attributed events,
sessions): building day by day gives exactly the tables a full refresh gives, re-running the same
day changes nothing, moving as_of_date backwards replays that day exactly, and a new day of raw
files appended by the loader is processed incrementally, on every target; the uniqueness tests
scoped to the recomputed rows catch what a run duplicates."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import Build, Dataset
from segwh import dbt_runner, targets
from segwh.build import dbt_build
from segwh.loader import load
from segwh.warehouse import Warehouse, connect

SCHEMAS = ("staging", "intermediate", "marts", "activation", "privacy")
# relations that are the history of builds by definition (logs and what is derived from them) or
# the incremental machinery's own bookkeeping: a single full build cannot reproduce them
HISTORY = {
    "segwh_incremental_runs", "int_events__web_attributed__node_keys", "int_events__email_attributed__node_keys",
    "int_identity__key_history", "identity_key_changes", "segment_membership_log", "lifecycle_stage_log",
    "segment_mix_log", "segment_changes", "segment_membership_history", "lifecycle_transitions", "segment_drift",
    "erasure_log", "erasure_purges", "erasure_purge_checks",
}
# the fits keep a row set per as_of_date: the current date's rows are compared
FITS_BY_DATE = {"clv_model_parameters", "customer_cluster_centroids"}
# columns saying when a build ran or since when a person is in a segment (the build history)
RUN_COLUMNS = {"entered_on", "attributed_at", "fitted_at", "fit_seconds", "snapshot_at", "updated_at"}
EVENT_MODELS = ("base_web__events", "base_esp__email_events", "int_events__web_sessionized",
                "int_events__web_attributed", "int_events__email_attributed", "int_events__web_sessions")

Snapshot = dict[str, list[tuple[str, ...]]]


def snapshot(warehouse: Warehouse, as_of: str) -> Snapshot:
    """Every compared relation's rows (as text, sorted), without the run-time columns."""
    tables: Snapshot = {}
    for schema in SCHEMAS:
        for relation in warehouse.relations(schema):
            if relation in HISTORY:
                continue
            columns, _ = warehouse.fetch(f"select * from {schema}.{relation} where 1 = 0")
            kept = ", ".join(column for column in columns if column not in RUN_COLUMNS)
            where = f" where as_of_date = cast('{as_of}' as date)" if relation in FITS_BY_DATE else ""
            rows = warehouse.query(f"select {kept} from {schema}.{relation}{where}")
            tables[f"{schema}.{relation}"] = sorted(tuple(str(value) for value in row) for row in rows)
    return tables


def differences(actual: Snapshot, expected: Snapshot) -> list[str]:
    found = []
    for name in sorted(set(actual) | set(expected)):
        got, want = actual.get(name), expected.get(name)
        if got != want:
            extra = sorted(set(got or []) - set(want or []))[:1]
            missing = sorted(set(want or []) - set(got or []))[:1]
            found.append(f"{name}: {len(got or [])} rows vs {len(want or [])}; extra {extra}; missing {missing}")
    return found


def last_windows(warehouse: Warehouse) -> dict[str, str]:
    """The window each event model recomputed in the latest run (segwh_incremental_runs)."""
    rows = warehouse.query(
        "select model_name, window_start from intermediate.segwh_incremental_runs as runs "
        "where event = 'started' and run_started_at = (select max(run_started_at) from intermediate.segwh_incremental_runs)"
    )
    return {str(name): str(start) for name, start in rows}


# the uniqueness tests that look at the rows a run recomputed (segwh.unique_in_recomputed_rows)
SCOPED_TESTS = (
    "unique_recomputed_base_web__events_raw_row_number", "unique_recomputed_base_esp__email_events_raw_row_number",
    "unique_recomputed_stg_web__events_event_id", "unique_recomputed_stg_esp__email_events_event",
    "unique_recomputed_int_events__web_sessionized_event_id", "unique_recomputed_int_events__web_attributed_event_id",
)
SCOPED_MODELS = ("base_web__events", "base_esp__email_events", "stg_web__events", "stg_esp__email_events",
                 "int_events__web_sessionized", "int_events__web_attributed")


def build_event_models_with_tests(target: str, as_of: str, scope: str = "recomputed") -> dict[str, tuple[str, str]]:
    """`dbt build` of the event models with their own data tests (one invocation, so the
    uniqueness tests see the windows the models logged); returns each scoped uniqueness test's
    status and compiled SQL, whether dbt reported a failure or not."""
    try:
        dbt_runner.invoke(["build", "--select", *SCOPED_MODELS, "--indirect-selection", "cautious"], target,
                          {"as_of_date": as_of, "data_test_scope": scope})
    except dbt_runner.DbtFailed:
        pass
    results = json.loads((dbt_runner.target_path(target) / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[2]: (result["status"], result.get("compiled_code") or "")
            for result in results if result["unique_id"].split(".")[2] in SCOPED_TESTS}


@pytest.mark.pipeline(order=0)
def test_day_by_day_equals_full_refresh_reruns_and_replays(built: Build) -> None:
    end = built.dataset.end_date
    day = lambda offset: (end - timedelta(days=offset)).isoformat()  # noqa: E731
    full_at_end = snapshot(built.warehouse, day(0))
    assert len(full_at_end) > 60 and len(full_at_end["intermediate.int_events__web_attributed"]) > 10_000

    try:
        dbt_build(built.target, day(2), run_dbt_tests=False, full_refresh=True)
        full_earlier = snapshot(built.warehouse, day(2))
        assert full_earlier["intermediate.int_events__web_attributed"] != full_at_end["intermediate.int_events__web_attributed"]

        reattributed = {"int_events__web_attributed": 0, "int_events__email_attributed": 0}
        for offset in (1, 0):
            dbt_build(built.target, day(offset), run_dbt_tests=False)
            windows = last_windows(built.warehouse)
            assert set(EVENT_MODELS) <= set(windows)
            # recomputed from a recent day (at the latest the day after as_of_date), not from scratch
            assert all("2000-01-01" < windows[model] <= day(offset - 1) for model in EVENT_MODELS), windows
            # events before the days recomputed, attributed again because their person's identity
            # changed (on Spark by moving the attribution's window back); the email events' are
            # deleted by the conditions that selected them, the web events' by key
            for model in reattributed:
                reattributed[model] += built.scalar(
                    f"select count(*) from intermediate.{model} where attributed_at = "
                    f"(select max(attributed_at) from intermediate.{model}) "
                    f"and event_date < cast('{windows[model]}' as date)")
        # Spark replaces whole months: a change inside the month being recomputed needs no extra work
        assert all(reattributed.values()) or built.target == "spark", reattributed
        assert differences(snapshot(built.warehouse, day(0)), full_at_end) == []
        assert_node_keys_snapshots_are_current(built)

        # the same day again: nothing new to process, nothing changes
        dbt_build(built.target, day(0), run_dbt_tests=False)
        windows = last_windows(built.warehouse)
        assert windows["base_esp__email_events"] == (end + timedelta(days=1)).isoformat() or built.target == "spark"
        assert differences(snapshot(built.warehouse, day(0)), full_at_end) == []

        # back to an earlier day: exactly what a full refresh as of that day gave
        dbt_build(built.target, day(2), run_dbt_tests=False)
        assert differences(snapshot(built.warehouse, day(2)), full_earlier) == []

        # the event models again as of that day, with their uniqueness tests: the rows after it
        # are recomputed, and the tests look at the keys of those rows only
        tests = build_event_models_with_tests(built.target, day(2))
        assert set(tests) == set(SCOPED_TESTS)
        assert all(status == "pass" and "recomputed_rows" in sql for status, sql in tests.values()), tests
        assert differences(snapshot(built.warehouse, day(2)), full_earlier) == []
    finally:
        # later pipeline tests (the CLV back-test) read the warehouse as of the data's end
        dbt_build(built.target, day(0), run_dbt_tests=False)


# the node types each attributed event model looks its events up by
ATTRIBUTION_NODE_TYPES = {"int_events__web_attributed": ("customer_id", "email", "anonymous_id"),
                          "int_events__email_attributed": ("email", "subscriber_id")}


def assert_node_keys_snapshots_are_current(built: Build) -> None:
    """After incremental runs (on DuckDB and PostgreSQL their changes applied to the snapshot, on
    Spark the snapshot written again), each attributed model's node keys snapshot holds exactly
    the current node hash and customer_key of every node of its types, and no run left its node
    changes behind."""
    for model, node_types in ATTRIBUTION_NODE_TYPES.items():
        of_types = " or ".join(f"node_key like '{node_type}:%'" for node_type in node_types)
        current = built.warehouse.query(
            f"select node_hash, customer_key from intermediate.int_identity__node_keys where {of_types}")
        kept = built.warehouse.query(f"select node_hash, customer_key from intermediate.{model}__node_keys")
        assert len(current) > 1_000
        assert sorted(map(tuple, kept)) == sorted(map(tuple, current)), model
        assert f"{model}__node_changes" not in built.warehouse.relations("intermediate")


def split_last_day(raw_dir: Path, out_dir: Path, last_day: date) -> None:
    """Copy a generated dataset, moving the web and email events that arrived on or after
    `last_day` into a file of their own in each table's folder (what a daily export delivers)."""
    import duckdb

    shutil.copytree(raw_dir, out_dir)
    with duckdb.connect() as connection:
        for table in ("web_events", "email_events"):
            source = out_dir / f"{table}.csv"
            frame = f"read_csv('{source}', all_varchar = true, header = true)"
            arrived = f"coalesce(substr(coalesce(received_at, occurred_at), 1, 10) >= '{last_day.isoformat()}', false)"
            (out_dir / table).mkdir()
            connection.execute(f"copy (select * from {frame} where {arrived}) to '{out_dir / table / (last_day.isoformat() + '.csv')}' (header)")
            connection.execute(f"copy (select * from {frame} where not ({arrived})) to '{out_dir / 'history.csv'}' (header)")
            os.replace(out_dir / "history.csv", source)


@pytest.mark.pipeline(order=0)
def test_a_day_of_appended_files_is_processed_incrementally(dataset: Dataset, tmp_path: Path, target: str,
                                                            all_builds: dict[str, Build]) -> None:
    """On DuckDB, in a warehouse of its own: the history is loaded and built as of the day before,
    then the day's files are appended by the loader and built incrementally; the result equals a
    full refresh of the same raw tables."""
    if target != "duckdb":
        pytest.skip("the loader and the incremental models are the same on every target; the day-by-day test covers them")
    raw_dir = tmp_path / "raw"
    day_files = tmp_path / "day"
    end = dataset.end_date
    split_last_day(dataset.raw_dir, day_files, end)
    shutil.copytree(day_files, raw_dir, ignore=lambda folder, names: [name for name in names if name.endswith(f"{end}.csv")])
    saved = os.environ["DUCKDB_PATH"]
    os.environ["DUCKDB_PATH"] = str(tmp_path / "daily.duckdb")
    warehouse = connect("duckdb")
    try:
        load(raw_dir, warehouse)
        dbt_build("duckdb", (end - timedelta(days=1)).isoformat(), run_dbt_tests=False)
        web_rows_before = warehouse.query("select count(*) from raw.web_events")[0][0]

        for table in ("web_events", "email_events"):
            shutil.copy(day_files / table / f"{end}.csv", raw_dir / table / f"{end}.csv")
        report = load(raw_dir, warehouse)
        modes = {table.table: (table.mode, table.new_rows) for table in report.tables}
        assert modes["web_events"][0] == "appended" and modes["web_events"][1] > 0
        assert modes["orders"] == ("unchanged", 0)
        assert warehouse.query("select min(raw_row_number) from raw.web_events where raw_source_file like 'web_events/%'") == [
            (web_rows_before + 1,)
        ]
        dbt_build("duckdb", end.isoformat(), run_dbt_tests=False)
        windows = last_windows(warehouse)
        assert windows["base_web__events"] >= (end - timedelta(days=5)).isoformat(), windows
        daily = snapshot(warehouse, end.isoformat())

        dbt_build("duckdb", end.isoformat(), run_dbt_tests=False, full_refresh=True)
        assert differences(daily, snapshot(warehouse, end.isoformat())) == []

        check_uniqueness_tests_catch_duplicates(warehouse, end)
    finally:
        warehouse.close()
        os.environ["DUCKDB_PATH"] = saved


def check_uniqueness_tests_catch_duplicates(warehouse: Warehouse, end: date) -> None:
    """A uniqueness test scoped to the recomputed rows fails on a duplicate a run makes with an
    older row; a duplicate among rows no run touched is left to the whole-table check (a `dbt
    test` alone, or var data_test_scope 'all')."""
    test = "unique_recomputed_base_esp__email_events_raw_row_number"
    as_of = end.isoformat()
    assert build_event_models_with_tests("duckdb", as_of)[test][0] == "pass"

    # an old row copied as it is: no run recomputes its day
    old_day = str(warehouse.query(
        "select max(event_date) from staging.base_esp__email_events where quarantine_reason is null "
        f"and event_date < cast('{(end - timedelta(days=10)).isoformat()}' as date)")[0][0])
    copied = warehouse.query(f"select min(raw_row_number) from staging.base_esp__email_events "
                             f"where event_date = cast('{old_day}' as date) and quarantine_reason is null")[0][0]
    warehouse.execute(f"insert into staging.base_esp__email_events select * from staging.base_esp__email_events "
                      f"where raw_row_number = {copied}")
    assert build_event_models_with_tests("duckdb", as_of)[test][0] == "pass"
    assert build_event_models_with_tests("duckdb", as_of, scope="all")[test][0] == "fail"
    # dbt test alone checks the whole table
    with pytest.raises(dbt_runner.DbtFailed):
        dbt_runner.invoke(["test", "--select", test], "duckdb", {"as_of_date": as_of})
    warehouse.execute(f"delete from staging.base_esp__email_events where rowid = "
                      f"(select max(rowid) from staging.base_esp__email_events where raw_row_number = {copied})")

    # a raw row of the last day with email events also kept, wrongly, as an older event: a replay
    # as of the day before recomputes that day and writes the raw row again, next to the old copy
    last_day = warehouse.query("select max(event_date) from staging.base_esp__email_events where quarantine_reason is null")[0][0]
    old_time = f"cast('{old_day} 12:00:00' as timestamp)"
    warehouse.execute(
        f"insert into staging.base_esp__email_events select * replace (cast('{old_day}' as date) as event_date, "
        f"{old_time} as occurred_at, {old_time} as received_at) from staging.base_esp__email_events "
        f"where event_date = cast('{last_day}' as date) and quarantine_reason is null limit 1")
    status, sql = build_event_models_with_tests("duckdb", (last_day - timedelta(days=1)).isoformat())[test]
    assert status == "fail" and f"event_date >= cast('{last_day}' as date)" in sql, sql


@contextmanager
def own_duckdb_warehouse(path: Path) -> Iterator[Warehouse]:
    """A DuckDB warehouse of its own at `path`: DUCKDB_PATH points dbt and the package to it until
    the block ends."""
    saved = os.environ.get("DUCKDB_PATH")
    os.environ["DUCKDB_PATH"] = str(path)
    warehouse = connect("duckdb")
    try:
        yield warehouse
    finally:
        warehouse.close()
        if saved is None:
            del os.environ["DUCKDB_PATH"]
        else:
            os.environ["DUCKDB_PATH"] = saved


def test_the_base_window_moves_back_until_it_holds_every_version_of_its_keys(tmp_path: Path) -> None:
    """On hand-made files (DuckDB): a redelivery of event E1 arrives dated the last day while its
    first delivery is dated 10 days earlier; in those days is E2, whose other delivery is dated 20
    days earlier. The incremental run recomputes from that day (two rounds back), and its table
    equals a full refresh."""
    last = date(2026, 3, 31)
    header = "event_id,anonymous_id,customer_id,email,session_id,event_type,product_id,device_type,quantity,price,occurred_at,received_at\n"

    def line(event_id: str, day: date, device: str) -> str:
        return f"{event_id},{device},,,,page_view,,desktop,,,{day.isoformat()} 12:00:00,{day.isoformat()} 12:00:05\n"

    raw_dir = tmp_path / "raw"
    (raw_dir / "web_events").mkdir(parents=True)
    (raw_dir / "orders.csv").write_text(
        "order_id,customer_id,email,ordered_at,amount,status\nO1,C1,,2026-03-01 10:00:00,10.00,completed\n")
    fillers = "".join(line(f"F{offset}", last - timedelta(days=offset), "A0") for offset in range(1, 30))
    (raw_dir / "web_events" / "2026-03-30.csv").write_text(
        header + fillers + line("E2", last - timedelta(days=20), "A2") + line("E2", last - timedelta(days=7), "A2b")
        + line("E1", last - timedelta(days=10), "A1"))
    table = "select * from staging.base_web__events order by raw_row_number"
    with own_duckdb_warehouse(tmp_path / "versions.duckdb") as warehouse:
        load(raw_dir, warehouse)
        dbt_runner.invoke(["run", "--select", "base_web__events"], "duckdb", {"as_of_date": (last - timedelta(days=1)).isoformat()})
        (raw_dir / "web_events" / "2026-03-31.csv").write_text(header + line("E1", last, "A1b"))
        load(raw_dir, warehouse)
        log = targets.PROJECT_DIR / "logs" / "duckdb" / "dbt.log"
        logged_before = log.stat().st_size if log.exists() else 0
        dbt_runner.invoke(["run", "--select", "base_web__events"], "duckdb", {"as_of_date": last.isoformat()})
        assert last_windows(warehouse)["base_web__events"] == (last - timedelta(days=20)).isoformat()
        # the pre-hook clears the window the compiled model carries: three rounds of the
        # older-versions query (two moves back, one finding none), not three more in the pre-hook
        with log.open("rb") as log_file:
            log_file.seek(logged_before)
            run_log = log_file.read().decode("utf-8", errors="replace")
        assert run_log.count("window_keys as (") == 3
        # an appending model inserts its rows straight into its table on DuckDB (append_in_place)
        assert 'insert into "versions"."staging"."base_web__events"' in run_log and "__dbt_tmp" not in run_log
        incremental = warehouse.query(table)
        assert sorted(row[2] for row in incremental if row[2] in ("E1", "E2")) == ["E1", "E1", "E2", "E2"]
        dbt_runner.invoke(["run", "--select", "base_web__events", "--full-refresh"], "duckdb", {"as_of_date": last.isoformat()})
        assert warehouse.query(table) == incremental


def test_an_identifier_no_longer_refused_attributes_its_older_events(tmp_path: Path) -> None:
    """On hand-made files (DuckDB): four CRM records share one email, so at the default of var
    identity_max_customer_ids_per_identifier (3) the email is refused, and web event W1 and email
    event M1, which carry only that email, 10 days before the last day, are unattributed. Raised
    to 10, the email links the four records; an incremental run (nothing new to load, so its
    windows start after the last day) must attribute W1 and M1 again although they had no
    customer_key and no anonymous id: the identity saw the new node in their events before the
    window (every_new_node). The tables equal a full refresh."""
    last = date(2026, 3, 31)
    shared = "family.inbox@household.net"
    raw_dir = tmp_path / "raw"
    (raw_dir / "web_events").mkdir(parents=True)
    (raw_dir / "orders.csv").write_text(
        "order_id,customer_id,email,ordered_at,amount,status\nO1,C1,,2026-03-01 10:00:00,10.00,completed\n")
    (raw_dir / "customers.csv").write_text("customer_id,email,signed_up_at,updated_at\n" + "".join(
        f"C{number},{shared},2026-01-0{number} 09:00:00,2026-01-0{number} 09:00:00\n" for number in range(1, 5)))
    header = "event_id,anonymous_id,customer_id,email,session_id,event_type,product_id,device_type,quantity,price,occurred_at,received_at\n"
    w1_time = f"{(last - timedelta(days=10)).isoformat()} 12:00:00"
    (raw_dir / "web_events" / "2026-03-31.csv").write_text(
        header + f"W1,,,{shared},,page_view,,desktop,,,{w1_time},{w1_time}\n"
        + f"W2,A2,C2,,,page_view,,desktop,,,{w1_time},{w1_time}\n")
    (raw_dir / "email_events.csv").write_text(
        f"message_id,email,event_type,occurred_at\nM1,{shared},open,{w1_time}\nM2,{shared},sent,{w1_time}\n")
    models = ["--select", "+int_events__web_attributed", "+int_events__email_attributed",
              "--exclude-resource-type", "test", "unit_test"]
    attributed = ("select event_id, customer_key from intermediate.int_events__web_attributed union all "
                  "select message_id || ':' || event_type, customer_key from intermediate.int_events__email_attributed "
                  "order by 1")
    compiled_models = dbt_runner.target_path("duckdb") / "compiled" / "segwh" / "models" / "intermediate" / "events"
    with own_duckdb_warehouse(tmp_path / "refused.duckdb") as warehouse:
        load(raw_dir, warehouse)
        dbt_runner.invoke(["build", *models], "duckdb", {"as_of_date": last.isoformat()})
        assert [row for row in warehouse.query(attributed) if row[1] is None] == [
            ("M1:open", None), ("M2:sent", None), ("W1", None)]
        assert warehouse.query("select refusal_reason from intermediate.int_identity__identifiers "
                               f"where node_key = 'email:{shared}'") == [("shared_by_too_many_customer_ids",)]

        linked = {"as_of_date": last.isoformat(), "identity_max_customer_ids_per_identifier": 10}
        dbt_runner.invoke(["build", *models], "duckdb", linked)
        for model in ("int_events__web_attributed", "int_events__email_attributed"):
            compiled = (compiled_models / f"{model}.sql").read_text()
            assert '"every_new_node": true' in compiled, model
            assert f'"start": "{(last + timedelta(days=1)).isoformat()}"' in compiled, model
        incremental = warehouse.query(attributed)
        # the four records are one person now; the events by the email, and W2 by C2, belong to them
        person = warehouse.query("select distinct customer_key from intermediate.int_identity__node_keys "
                                 "where node_key in ('customer_id:C1', 'customer_id:C4')")
        assert len(person) == 1 and person[0][0] is not None
        assert incremental == [(event, person[0][0]) for event in ("M1:open", "M2:sent", "W1", "W2")]

        dbt_runner.invoke(["build", "--select", "int_events__web_attributed", "int_events__email_attributed",
                           "--full-refresh", "--exclude-resource-type", "test", "unit_test"], "duckdb", linked)
        assert warehouse.query(attributed) == incremental

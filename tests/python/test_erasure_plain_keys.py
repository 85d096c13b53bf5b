"""`segwh.apply_erasures` clears a table of the erasure log's new entries by their plain node keys
only when that is exact, and then deletes the same rows as hashing every identifier would.

A small warehouse is planted on DuckDB and on PostgreSQL (a database of its own): Ann was named
by a pending request and logged in plain-key reach (still in the identity tables); Carol was
erased by an earlier run and is gone from them, so only her hashes remain. Tables whose last
check covered Carol's entries (and, for a raw table, every load) take the plain-key path; a
table never checked, or with a load since its check (a late file re-creating Carol), must be
hashed. The same warehouse with the identity tables removed is cleared by hashes everywhere; both
must keep exactly the planted survivors. Spark has no plain-key path (it always hashes).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import prepare_target
from segwh import dbt_runner
from segwh.warehouse import connect

AS_OF = "2026-02-01"
FIRST_LOAD = "2026-01-05 00:00:00"
LATE_LOAD = "2026-01-20 00:00:00"
CAROL_LOGGED_AT = "2026-01-10 00:00:00"
ANN_LOGGED_AT = "2026-02-01 00:00:00"

ANN = {"email": "ann@example.com", "customer_id": "C1", "anonymous_id": "A1", "subscriber_id": "S1"}
BOB = {"email": "bob@example.com", "customer_id": "C2", "anonymous_id": "A2", "subscriber_id": "S2"}
CAROL = {"email": "carol@example.com", "customer_id": "C3"}

# table -> (its columns after row_label, its rows as (row_label, values...))
RAW_TABLES: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
    "web_events": (["customer_id", "email", "anonymous_id", "raw_loaded_at"], [
        ("ann_by_email", None, ANN["email"], None, FIRST_LOAD),
        ("ann_by_anonymous_id", None, None, ANN["anonymous_id"], FIRST_LOAD),
        ("bob", BOB["customer_id"], BOB["email"], BOB["anonymous_id"], FIRST_LOAD),
        ("nobody_known", None, None, "A9", FIRST_LOAD),
        ("carol_in_a_late_file", CAROL["customer_id"], None, None, LATE_LOAD),
        ("bob_in_a_late_file", None, None, BOB["anonymous_id"], LATE_LOAD),
    ]),
    "email_events": (["email", "subscriber_id", "raw_loaded_at"], [
        ("ann_by_subscriber_id", None, ANN["subscriber_id"], FIRST_LOAD),
        ("ann_by_email", ANN["email"], None, FIRST_LOAD),
        ("bob", BOB["email"], BOB["subscriber_id"], FIRST_LOAD),
    ]),
    "customers": (["customer_id", "email", "phone", "raw_loaded_at"], [
        ("ann", ANN["customer_id"], ANN["email"], None, FIRST_LOAD),
        ("bob", BOB["customer_id"], BOB["email"], None, FIRST_LOAD),
        ("carol", CAROL["customer_id"], CAROL["email"], None, FIRST_LOAD),
    ]),
    "erasure_requests": (["identifier_type", "identifier_value", "requested_at", "raw_loaded_at"], [
        ("request_for_ann", "email", ANN["email"], "2026-01-31 09:00:00", FIRST_LOAD),
    ]),
}
MODEL_TABLES: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
    "staging.base_web__events": (["customer_id", "email", "anonymous_id"], [
        ("ann_by_anonymous_id", None, None, ANN["anonymous_id"]),
        ("ann_by_customer_id", ANN["customer_id"], None, None),
        ("bob", BOB["customer_id"], BOB["email"], BOB["anonymous_id"]),
    ]),
    "intermediate.int_events__web_sessions": (["customer_key"], [
        ("ann", "K_ANN"), ("bob", "K_BOB"), ("carol", "K_CAROL"),
    ]),
}
# checks that covered Carol's three entries: raw web events through the first load only
CHECKS = [("web_events", 3, FIRST_LOAD), ("email_events", 3, FIRST_LOAD), ("staging.base_web__events", 3, None)]
SURVIVORS = {
    "raw.web_events": {"bob", "nobody_known", "bob_in_a_late_file"},
    "raw.email_events": {"bob"},
    "raw.customers": {"bob"},
    "raw.erasure_requests": set(),
    "staging.base_web__events": {"bob"},
    "intermediate.int_events__web_sessions": {"bob"},
}
PLAIN_KEY_TABLES = {"raw.email_events", "staging.base_web__events"}
HASHED_TABLES = {"raw.web_events", "raw.customers", "raw.erasure_requests", "intermediate.int_events__web_sessions"}


def _hash(node_key: str) -> str:
    return hashlib.sha256(f"{os.environ['SEGWH_ERASURE_SALT']}:{node_key}".encode()).hexdigest()


def _literal(value: Any) -> str:
    return "null" if value is None else "'" + str(value) + "'"


def _timestamp(value: str | None) -> str:
    return "cast(null as timestamp)" if value is None else f"cast('{value}' as timestamp)"


def _plant(target: str, with_identity: bool) -> None:
    warehouse = connect(target)
    try:
        for schema in ("raw", "staging", "intermediate", "privacy"):
            warehouse.execute(f"drop schema if exists {schema} cascade")
            warehouse.execute(f"create schema {schema}")
        warehouse.execute("create table staging.country_calling_codes (country_code varchar(2), calling_code varchar(4))")
        warehouse.execute("insert into staging.country_calling_codes values ('US', '1')")
        tables = {f"raw.{name}": spec for name, spec in RAW_TABLES.items()} | MODEL_TABLES
        for table, (columns, rows) in tables.items():
            types = ["timestamp" if column == "raw_loaded_at" else "varchar(100)" for column in columns]
            warehouse.execute(f"create table {table} (row_label varchar(100), "
                              + ", ".join(f"{column} {kind}" for column, kind in zip(columns, types)) + ")")
            for label, *values in rows:
                cells = [_timestamp(value) if column == "raw_loaded_at" else _literal(value)
                         for column, value in zip(columns, values)]
                warehouse.execute(f"insert into {table} values ({_literal(label)}, {', '.join(cells)})")
        warehouse.execute("create table privacy.erasure_log (identifier_hash varchar(64), identifier_type varchar(40), "
                          "erased_at timestamp, logged_on date, logged_at timestamp)")
        carol_keys = [f"email:{CAROL['email']}", f"customer_id:{CAROL['customer_id']}", "customer_key:K_CAROL"]
        ann_keys = [f"{kind}:{value}" for kind, value in ANN.items()] + ["customer_key:K_ANN", "order_id:O1"]
        for keys, logged_at in ((carol_keys, CAROL_LOGGED_AT), (ann_keys, ANN_LOGGED_AT)):
            for key in keys:
                warehouse.execute(f"insert into privacy.erasure_log values ('{_hash(key)}', '{key.split(':')[0]}', "
                                  f"{_timestamp(logged_at)}, cast('{logged_at[:10]}' as date), {_timestamp(logged_at)})")
        warehouse.execute("create table privacy.erasure_purge_checks (table_name varchar(100), erasure_entries bigint, "
                          "loaded_through timestamp, checked_at timestamp)")
        for table, entries, loaded_through in CHECKS:
            warehouse.execute(f"insert into privacy.erasure_purge_checks values ('{table}', {entries}, "
                              f"{_timestamp(loaded_through)}, {_timestamp(CAROL_LOGGED_AT)})")
        if with_identity:
            warehouse.execute("create table intermediate.int_identity__node_keys (node_key varchar(100), customer_key varchar(20))")
            for customer_key, person in (("K_ANN", ANN), ("K_BOB", BOB)):
                for kind, value in person.items():
                    warehouse.execute(f"insert into intermediate.int_identity__node_keys values ('{kind}:{value}', '{customer_key}')")
            warehouse.execute("create table intermediate.int_identity__record_keys "
                              "(record_key varchar(20), customer_key varchar(20), source_table varchar(20))")
            warehouse.execute("insert into intermediate.int_identity__record_keys values ('O1', 'K_ANN', 'orders'), "
                              "('O2', 'K_BOB', 'orders')")
    finally:
        warehouse.close()


def _labels(target: str) -> dict[str, set[str]]:
    warehouse = connect(target)
    try:
        return {table: {row[0] for row in warehouse.query(f"select row_label from {table}")} for table in SURVIVORS}
    finally:
        warehouse.close()


def _apply(target: str) -> tuple[dict[str, set[str]], str]:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        dbt_runner.invoke(["run-operation", "segwh.apply_erasures"], target, {"as_of_date": AS_OF})
    print(output.getvalue())
    return _labels(target), output.getvalue()


@pytest.fixture(scope="module")
def cleared(target: str, target_environment: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if target == "spark":
        pytest.skip("Spark has no plain-key path: it always clears by hashes")
    prepare_target(target, target_environment)
    base = tmp_path_factory.mktemp(f"plain-keys-{target}")
    results: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("SEGWH_DBT_TARGET_PATH", str(base / "dbt_target"))
        if target == "postgres":
            server = connect(target)
            try:
                server.execute("drop database if exists segwh_plain_keys")
                server.execute("create database segwh_plain_keys")
            finally:
                server.close()
            environment.setenv("SEGWH_PG_DATABASE", "segwh_plain_keys")
        for label, with_identity in (("plain", True), ("hashed", False)):
            environment.setenv("DUCKDB_PATH", str(base / f"{label}.duckdb"))
            _plant(target, with_identity)
            results[label] = _apply(target)
    return results


def test_the_plain_key_path_keeps_exactly_the_planted_survivors(cleared: dict[str, Any]) -> None:
    labels, _ = cleared["plain"]
    assert labels == SURVIVORS


def test_hashing_everything_keeps_the_same_rows(cleared: dict[str, Any]) -> None:
    assert cleared["hashed"][0] == cleared["plain"][0] == SURVIVORS


def test_only_tables_already_clear_of_the_older_entries_take_the_plain_key_path(cleared: dict[str, Any]) -> None:
    _, output = cleared["plain"]
    # the log names a model by its quoted relation ("db"."schema"."name"), a raw table as raw.name
    plain = {line.replace('"', '') for line in output.splitlines() if "by the plain keys of the new entries" in line}
    for table in PLAIN_KEY_TABLES:
        assert any(table in line for line in plain), (table, output)
    for table in HASHED_TABLES:
        assert not any(table in line for line in plain), (table, plain)
    _, hashed_output = cleared["hashed"]
    assert "by the plain keys" not in hashed_output

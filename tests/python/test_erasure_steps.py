"""The erasure step of `segwh build` (segwh/erasure.py) runs the dbt commands its state calls for:
the raw purge only once an erasure log exists, the identity build and the clean-up only while
requests are pending. dbt is replaced by a recorder; the warehouse is a real DuckDB file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segwh import dbt_runner, erasure
from segwh.warehouse import DuckDBWarehouse

PURGE = ["run-operation", "segwh.purge_erased_raw_rows"]
APPLY = ["run-operation", "segwh.apply_erasures"]


def _warehouse(path: Path, pending_requests: int, with_log: bool) -> None:
    warehouse = DuckDBWarehouse(path)
    try:
        warehouse.execute("create schema raw")
        warehouse.execute("create table raw.erasure_requests (identifier_type varchar, identifier_value varchar)")
        for number in range(pending_requests):
            warehouse.execute(f"insert into raw.erasure_requests values ('email', 'person{number}@example.com')")
        if with_log:
            warehouse.execute("create schema privacy")
            warehouse.execute("create table privacy.erasure_log (identifier_hash varchar, identifier_type varchar)")
    finally:
        warehouse.close()


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pending_requests: int, with_log: bool) -> tuple[int, list[list[str]]]:
    path = tmp_path / "warehouse.duckdb"
    _warehouse(path, pending_requests, with_log)
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    commands: list[list[str]] = []

    def record(command: list[str], target: str, variables: dict[str, Any] | None = None) -> None:
        assert target == "duckdb" and variables == {"as_of_date": "2026-01-31"}
        commands.append(command)

    monkeypatch.setattr(dbt_runner, "invoke", record)
    monkeypatch.setattr(dbt_runner, "keep_run_results", lambda target, label: None)
    return erasure.purge_and_log("duckdb", "2026-01-31"), commands


def test_a_first_build_without_requests_starts_no_dbt_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(tmp_path, monkeypatch, pending_requests=0, with_log=False) == (0, [])


def test_a_first_build_with_requests_builds_the_log_and_applies_it_without_a_purge_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processed, commands = _run(tmp_path, monkeypatch, pending_requests=2, with_log=False)
    assert processed == 2
    assert PURGE not in commands
    assert commands[0][:3] == ["build", "--select", "+erasure_log"]
    assert commands[1:] == [APPLY]


def test_a_later_build_purges_the_raw_tables_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(tmp_path, monkeypatch, pending_requests=0, with_log=True) == (0, [PURGE])
    processed, commands = _run(tmp_path / "pending", monkeypatch, pending_requests=1, with_log=True)
    assert processed == 1
    assert commands[0] == PURGE and commands[-1] == APPLY and len(commands) == 3

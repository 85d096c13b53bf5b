"""DuckDB's threads, memory limit, spill limit and checkpoint threshold come from the profile's environment variables
and reach dbt's session and the package's own connections alike; a query that needs more memory
than the limit spills next to the warehouse file instead of failing, and dbt keeps working after
a spill (DuckDB refuses to move its spill directory once used, so it is never set per cursor)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from segwh import dbt_runner
from segwh.warehouse import DuckDBWarehouse

# about 3 million distinct strings: their hash table needs far more than 64 MB
HEAVY_QUERY = "select count(*) as distinct_values from (select distinct 'value-' || cast(i as varchar) as v from range(3000000) as t(i)) as d"


@pytest.fixture
def small_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    monkeypatch.setenv("SEGWH_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("SEGWH_DUCKDB_ENGINE_THREADS", "1")
    monkeypatch.setenv("SEGWH_DUCKDB_MAX_TEMP_SIZE", "5GB")
    monkeypatch.setenv("SEGWH_DUCKDB_CHECKPOINT_THRESHOLD", "32MB")
    return path


def _show(sql: str) -> dict[str, object]:
    result = dbt_runner.invoke(["show", "--inline", sql], "duckdb")
    table = result.results[0].agate_table
    return dict(zip(table.column_names, table.rows[0]))


def test_profile_settings_reach_dbt_and_the_package_connections(small_duckdb: Path) -> None:
    settings = _show("select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory, "
                     "current_setting('threads') as threads, current_setting('max_temp_directory_size') as max_temp, "
                     "current_setting('checkpoint_threshold') as checkpoint_threshold")
    assert settings["memory_limit"] == "61.0 MiB"  # 64 MB as DuckDB prints it
    assert settings["max_temp"] == "4.6 GiB"  # 5 GB
    assert Path(str(settings["temp_directory"])) == Path(f"{small_duckdb}.tmp")
    assert int(str(settings["threads"])) == 1
    assert settings["checkpoint_threshold"] == "30.5 MiB"  # 32 MB
    warehouse = DuckDBWarehouse()
    try:
        assert warehouse.query("select current_setting('memory_limit'), current_setting('threads'), "
                               "current_setting('max_temp_directory_size'), current_setting('checkpoint_threshold')"
                               ) == [("61.0 MiB", 1, "4.6 GiB", "30.5 MiB")]
    finally:
        warehouse.close()


def test_queries_larger_than_the_memory_limit_spill_and_dbt_keeps_working(small_duckdb: Path) -> None:
    # without a place to spill, the same limit makes the query fail: it really needs the disk
    with duckdb.connect(config={"memory_limit": "64MB", "threads": "1", "temp_directory": ""}) as connection:
        with pytest.raises(duckdb.OutOfMemoryException):
            connection.execute(HEAVY_QUERY).fetchall()
    assert _show(HEAVY_QUERY)["distinct_values"] == 3_000_000
    # a new dbt cursor after the spill (a setting that moved the spill directory would fail here)
    assert _show(HEAVY_QUERY)["distinct_values"] == 3_000_000
    warehouse = DuckDBWarehouse()
    try:
        assert warehouse.query(HEAVY_QUERY) == [(3_000_000,)]
    finally:
        warehouse.close()
    assert _show("select 1 as still_working")["still_working"] == 1

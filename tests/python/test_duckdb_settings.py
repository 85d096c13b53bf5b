"""DuckDB's threads, memory limit and spill directory come from the profile's environment
variables, reach dbt's session and the package's own connections alike, and a query that needs
more memory than the limit spills to the temp directory instead of failing."""

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
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "settings.duckdb"))
    monkeypatch.setenv("SEGWH_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("SEGWH_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("SEGWH_DUCKDB_ENGINE_THREADS", "1")
    monkeypatch.setenv("SEGWH_DUCKDB_MAX_TEMP_SIZE", "5GB")
    return tmp_path


def _show(sql: str) -> dict[str, object]:
    result = dbt_runner.invoke(["show", "--inline", sql], "duckdb")
    table = result.results[0].agate_table
    return dict(zip(table.column_names, table.rows[0]))


def test_profile_settings_reach_dbt_and_the_package_connections(small_duckdb: Path) -> None:
    settings = _show("select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory, "
                     "current_setting('threads') as threads, current_setting('max_temp_directory_size') as max_temp")
    assert settings["memory_limit"] == "61.0 MiB"  # 64 MB as DuckDB prints it
    assert Path(str(settings["temp_directory"])) == small_duckdb / "spill"
    assert int(str(settings["threads"])) == 1
    warehouse = DuckDBWarehouse()
    try:
        assert warehouse.query("select current_setting('memory_limit'), current_setting('threads')") == [
            (settings["memory_limit"], 1)
        ]
        assert Path(warehouse.query("select current_setting('temp_directory')")[0][0]) == small_duckdb / "spill"
    finally:
        warehouse.close()


def test_a_query_larger_than_the_memory_limit_spills_instead_of_failing(small_duckdb: Path) -> None:
    # without a place to spill, the same limit makes the query fail: it really needs the disk
    with duckdb.connect(config={"memory_limit": "64MB", "threads": "1", "temp_directory": ""}) as connection:
        with pytest.raises(duckdb.OutOfMemoryException):
            connection.execute(HEAVY_QUERY).fetchall()
    assert _show(HEAVY_QUERY)["distinct_values"] == 3_000_000

"""The ESP release files: on DuckDB they are written with COPY, on the other engines row by row in
Python (csv and pyarrow); both must give the same files. The expected CSV lines are written from
the file contract (README, "Consent, suppression and the ESP audience"): a header row, commas,
RFC 4180 quoting only where needed, an empty cell for no value, UTC times as
YYYY-MM-DDTHH:MM:SSZ, true/false."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from segwh import publish
from segwh.warehouse import DuckDBWarehouse

AUDIENCE_ROWS = """
select * from (values
    ('a@example.com', 'K1', 'O''Brien, "Jo"', 'US', 'en', 'loyal', 'champions', 'high', 9,
     'champions|high_value', 'double_opt_in_confirmed', timestamp '2026-01-02 03:04:05.678', true,
     timestamp '2026-03-01 00:00:00', 'h1'),
    ('b@example.com', 'K2', 'two
lines', null, '', null, null, null, cast(null as integer), '', null, cast(null as timestamp), false,
     timestamp '2026-03-01 12:30:00', 'h2')
) as rows(email, customer_key, first_name, country_code, language_code, lifecycle_stage, rfm_segment,
          engagement_level, preferred_send_hour, segment_names, consent_method, consented_at,
          personalisation_allowed, updated_at, row_hash)
"""

CHANGE_ROWS = """
select 'upsert' as change_type, 'new' as change_reason, customer_key, email, first_name, country_code,
    language_code, lifecycle_stage, rfm_segment, engagement_level, preferred_send_hour, segment_names,
    consent_method, consented_at, 'first_name,country_code' as fields_to_blank,
    cast(null as varchar) as fields_left_out, row_hash
from activation.esp_audience
"""


class PythonWriters:
    """The warehouse seen as a non-DuckDB engine: _write_release then fetches the rows and writes
    them with the Python writers."""

    def __init__(self, warehouse: DuckDBWarehouse) -> None:
        self.warehouse = warehouse
        self.name = "python"

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self.warehouse.fetch(sql)


@pytest.fixture
def releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SEGWH_PUBLISHED_DIR", str(tmp_path / "published"))
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    try:
        warehouse.execute("create schema activation")
        warehouse.execute(f"create table activation.esp_audience as {AUDIENCE_ROWS}")
        warehouse.execute(f"create table activation.esp_sync_changes as {CHANGE_ROWS}")
        copied = publish._write_release(warehouse, "copied", "2026-03-01")
        written = publish._write_release(PythonWriters(warehouse), "written", "2026-03-01")  # type: ignore[arg-type]
    finally:
        warehouse.close()
    return copied, written


def test_duckdb_writes_the_contract_csv(releases: tuple[Path, Path]) -> None:
    copied, _ = releases
    assert (copied / "contacts.csv").read_text(encoding="utf-8") == (
        "external_id,email,first_name,country_code,language_code,lifecycle_stage,rfm_segment,engagement_level,"
        "preferred_send_hour,segment_names,consent_method,consented_at,personalisation_allowed,updated_at,row_hash\n"
        'K1,a@example.com,"O\'Brien, ""Jo""",US,en,loyal,champions,high,9,champions|high_value,'
        "double_opt_in_confirmed,2026-01-02T03:04:05Z,true,2026-03-01T00:00:00Z,h1\n"
        'K2,b@example.com,"two\nlines",,,,,,,,,,false,2026-03-01T12:30:00Z,h2\n'
    )
    assert (copied / "contacts_delete.csv").read_text(encoding="utf-8") == "external_id,email,change_reason\n"
    upserts = (copied / "contacts_upsert.csv").read_text(encoding="utf-8").splitlines()
    assert upserts[1].startswith('K1,new,a@example.com,"O\'Brien, ""Jo""",')
    assert upserts[1].endswith(',"first_name,country_code",,h1')


def test_duckdb_and_python_writers_give_the_same_files(releases: tuple[Path, Path]) -> None:
    copied, written = releases
    for name in ("contacts", "contacts_upsert", "contacts_delete"):
        assert (copied / f"{name}.csv").read_bytes() == (written / f"{name}.csv").read_bytes(), name
        copied_table, written_table = pq.read_table(copied / f"{name}.parquet"), pq.read_table(written / f"{name}.parquet")
        assert copied_table.column_names == written_table.column_names
        assert copied_table.num_rows == written_table.num_rows
        for column in copied_table.column_names:
            copied_column, written_column = copied_table[column], written_table[column]
            if written_column.type == pa.null() or written_table.num_rows == 0:
                # pyarrow gives a column without any value a null type (and every column of an
                # empty file text); COPY keeps the column's type
                assert copied_column.null_count == copied_table.num_rows, (name, column)
            else:
                assert copied_column.equals(written_column), (name, column)
    assert pq.read_table(copied / "contacts.parquet").schema.field("preferred_send_hour").type == pa.int64()
    assert pq.read_table(copied / "contacts_upsert.parquet").schema.field("fields_left_out").type == pa.string()
    copied_manifest = (copied / "manifest.json").read_text()
    assert '"contacts.csv": {\n      "rows": 2,' in copied_manifest

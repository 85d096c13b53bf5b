"""Load a folder of raw files into the `raw` schema of a target, checked against the contract.

Every file is parsed by DuckDB (one parser, so every target reads the same values), kept as
text, numbered by data row and written to the target. All files are checked before anything is
written: a missing required table or column, or a file that does not parse, stops the load
with a message naming the file, the column or the line.
"""

from __future__ import annotations

import csv
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from segwh.contract import LOADER_COLUMNS, Table, load_contract
from segwh.warehouse import DuckDBWarehouse, Warehouse

RAW_SCHEMA = "raw"
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class RawInputError(Exception):
    """The raw files break the contract; the message says which file and what to fix."""


@dataclass
class TableLoad:
    table: str
    source_file: str | None
    rows: int
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    raw_dir: Path
    target: str
    tables: list[TableLoad]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables)


def find_file(raw_dir: Path, table: str) -> Path | None:
    found = [raw_dir / f"{table}{suffix}" for suffix in SUFFIXES if (raw_dir / f"{table}{suffix}").exists()]
    if len(found) > 1:
        raise RawInputError(f"{raw_dir}: more than one file for table '{table}': {', '.join(p.name for p in found)}")
    return found[0] if found else None


def read_header(path: Path) -> list[str]:
    """Column names of a file, as written (CSV header or Parquet schema)."""
    if path.name.endswith(".parquet"):
        with duckdb.connect() as connection:
            return [row[0] for row in connection.execute(f"describe select * from read_parquet('{path}')").fetchall()]
    opener = _open_text(path)
    with opener as handle:
        reader = csv.reader(handle)
        try:
            return next(reader)
        except StopIteration:
            raise RawInputError(f"{path.name}: the file is empty (a header row is required)") from None
        except csv.Error as error:
            raise RawInputError(f"{path.name}: line 1 (header) does not parse: {error}") from None


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        import gzip

        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def check_columns(table: Table, path: Path, header: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """Map contract columns to file columns; raise on a missing required column.

    Returns (contract column -> file column, missing optional columns, ignored file columns).
    Header names match the contract ignoring case and surrounding white space.
    """
    by_normal_name: dict[str, str] = {}
    for name in header:
        normal = name.strip().lower()
        if normal in by_normal_name:
            raise RawInputError(f"{path.name}: column '{normal}' appears twice in the header")
        by_normal_name[normal] = name
    missing_required = [name for name in table.required_columns if name not in by_normal_name]
    if missing_required:
        raise RawInputError(
            f"{path.name}: required column(s) {', '.join(missing_required)} missing "
            f"(the file has: {', '.join(header) or 'no columns'})"
        )
    if table.required_one_of and not any(name in by_normal_name for name in table.required_one_of):
        raise RawInputError(
            f"{path.name}: needs at least one of the columns {' or '.join(table.required_one_of)} "
            f"(the file has: {', '.join(header)})"
        )
    mapping = {name: by_normal_name[name] for name in table.column_names if name in by_normal_name}
    missing = [name for name in table.column_names if name not in by_normal_name]
    ignored = [name for normal, name in by_normal_name.items() if normal not in table.column_names]
    return mapping, missing, ignored


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scan_sql(path: Path, header: list[str]) -> str:
    if path.name.endswith(".parquet"):
        return f"read_parquet('{path}', file_row_number = true)"
    columns = ", ".join(f"{_quote(name)}: 'VARCHAR'" for name in header)
    return (
        f"read_csv('{path}', header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, columns = {{{columns}}}, encoding = 'utf-8')"
    )


def _select_sql(table: Table, path: Path | None, header: list[str], mapping: dict[str, str], loaded_at: str) -> str:
    """A DuckDB query giving the raw table: contract columns as text plus the loader columns."""
    if path is None:
        columns = ", ".join(f"cast(null as varchar) as {name}" for name in table.column_names)
        return (
            f"select {columns}, cast(null as bigint) as raw_row_number, cast(null as varchar) as raw_source_file, "
            f"cast(null as timestamp) as raw_loaded_at limit 0"
        )
    values = ", ".join(
        (f"cast({_quote(mapping[name])} as varchar) as {name}" if name in mapping else f"cast(null as varchar) as {name}")
        for name in table.column_names
    )
    row_number = "file_row_number + 1" if path.name.endswith(".parquet") else "row_number() over ()"
    return (
        f"select {values}, cast({row_number} as bigint) as raw_row_number, "
        f"'{path.name}' as raw_source_file, cast('{loaded_at}' as timestamp) as raw_loaded_at "
        f"from {_scan_sql(path, header)}"
    )


_LINE = re.compile(r"CSV Error on Line: (\d+)")


def _parse_error(path: Path, error: Exception) -> RawInputError:
    message = str(error)
    match = _LINE.search(message)
    detail = message.split("\n")
    reason = next((line.strip() for line in detail[2:6] if line.strip() and "Original Line" not in line), "")
    if match:
        return RawInputError(f"{path.name}: line {match.group(1)} does not parse: {reason or detail[0]}")
    return RawInputError(f"{path.name}: does not parse: {detail[0]}")


def load(raw_dir: Path, warehouse: Warehouse) -> LoadReport:
    """Check every file against the contract, then replace each raw table in the warehouse."""
    started = time.monotonic()
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise RawInputError(f"RAW_DIR {raw_dir} is not a folder")
    contract = load_contract()
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")

    plans: list[tuple[Table, Path | None, str, TableLoad]] = []
    for table in contract.values():
        path = find_file(raw_dir, table.name)
        if path is None:
            if table.required:
                raise RawInputError(
                    f"{raw_dir}: required table '{table.name}' is missing (expected {table.name}.csv or {table.name}.parquet)"
                )
            plans.append((table, None, _select_sql(table, None, [], {}, loaded_at), TableLoad(table.name, None, 0)))
            continue
        header = read_header(path)
        mapping, missing, ignored = check_columns(table, path, header)
        sql = _select_sql(table, path, header, mapping, loaded_at)
        plans.append((table, path, sql, TableLoad(table.name, path.name, 0, missing, ignored)))

    if isinstance(warehouse, DuckDBWarehouse):
        _load_into_duckdb(warehouse, plans)
    else:
        _load_through_parquet(warehouse, plans)
    reports = [report for _, _, _, report in plans]
    return LoadReport(raw_dir=raw_dir, target=warehouse.name, tables=reports, seconds=time.monotonic() - started)


def _load_into_duckdb(warehouse: DuckDBWarehouse, plans: list[tuple[Table, Path | None, str, TableLoad]]) -> None:
    """Parse every file straight into incoming tables, then swap them in one transaction."""
    connection = warehouse.connection
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    connection.execute("set preserve_insertion_order = true")
    incoming = []
    try:
        for table, path, sql, report in plans:
            name = f"{RAW_SCHEMA}.incoming__{table.name}"
            try:
                connection.execute(f"create or replace table {name} as {sql}")
            except duckdb.Error as error:
                raise _parse_error(path, error) if path else error
            incoming.append(name)
            report.rows = connection.execute(f"select count(*) from {name}").fetchone()[0]
        connection.execute("begin transaction")
        for table, _, _, _ in plans:
            connection.execute(f"drop table if exists {RAW_SCHEMA}.{table.name}")
            connection.execute(f"alter table {RAW_SCHEMA}.incoming__{table.name} rename to {table.name}")
        connection.execute("commit")
    finally:
        for name in incoming:
            connection.execute(f"drop table if exists {name}")


def _load_through_parquet(warehouse: Warehouse, plans: list[tuple[Table, Path | None, str, TableLoad]]) -> None:
    """Parse every file to Parquet first (so a bad file stops the load before anything is
    replaced), then replace each raw table in the target."""
    with tempfile.TemporaryDirectory(prefix="segwh-load-") as scratch, duckdb.connect() as parser:
        parser.execute("set preserve_insertion_order = true")
        staged: list[tuple[Table, Path]] = []
        for table, path, sql, report in plans:
            parquet_path = Path(scratch) / f"{table.name}.parquet"
            try:
                parser.execute(f"copy ({sql}) to '{parquet_path}' (format parquet)")
            except duckdb.Error as error:
                raise _parse_error(path, error) if path else error
            report.rows = parser.execute(f"select count(*) from read_parquet('{parquet_path}')").fetchone()[0]
            staged.append((table, parquet_path))
        for table, parquet_path in staged:
            warehouse.replace_table_from_parquet(RAW_SCHEMA, table.name, parquet_path, [*table.column_names, *LOADER_COLUMNS])

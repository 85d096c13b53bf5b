"""Load a folder of raw files into the `raw` schema of a target, checked against the contract.

Every file is parsed by DuckDB (one parser, so every target reads the same values), kept as
text, numbered by data row and written to the target. Files are parsed in parallel with DuckDB's
insertion order preserved and numbered afterwards from the incoming table's row ids (a
`row_number() over ()` during the parse runs on one thread and cost 40% of the load). All files
are checked before anything is written: a missing required table or column, or a file that does
not parse, stops the load with a message naming the file, the column or the line.
"""

from __future__ import annotations

import csv
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from segwh.contract import LOADER_COLUMNS, Table, load_contract
from segwh.warehouse import DuckDBWarehouse, Warehouse

RAW_SCHEMA = "raw"
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class RawInputError(Exception):
    """The raw files break the contract; the message says which file and what to fix."""


LOAD_LOG_TABLE = "segwh_loaded_files"


@dataclass
class TableLoad:
    table: str
    source_file: str | None
    rows: int
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # replaced: the table was rewritten from all its files; appended: only new files were added;
    # unchanged: every file was loaded before and is unchanged, nothing was read
    mode: str = "replaced"
    new_rows: int = 0


@dataclass
class LoadReport:
    raw_dir: Path
    target: str
    tables: list[TableLoad]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def new_rows(self) -> int:
        return sum(table.new_rows for table in self.tables)


@dataclass(frozen=True)
class RawFile:
    """One file of a raw table, identified by its path relative to the raw folder, size and
    modification time (what decides whether it was loaded before)."""

    path: Path
    name: str
    size: int
    modified_ns: int

    @classmethod
    def of(cls, raw_dir: Path, path: Path) -> "RawFile":
        stat = path.stat()
        return cls(path, path.relative_to(raw_dir).as_posix(), stat.st_size, stat.st_mtime_ns)

    def signature(self) -> tuple[str, int, int]:
        return (self.name, self.size, self.modified_ns)


def find_file(raw_dir: Path, table: str) -> Path | None:
    found = [raw_dir / f"{table}{suffix}" for suffix in SUFFIXES if (raw_dir / f"{table}{suffix}").exists()]
    if len(found) > 1:
        raise RawInputError(f"{raw_dir}: more than one file for table '{table}': {', '.join(p.name for p in found)}")
    return found[0] if found else None


def find_files(raw_dir: Path, table: str) -> list[Path]:
    """The files of a raw table: `<table>.csv` (or .csv.gz or .parquet), then the files of an
    optional folder `<table>/` in name order (for example one file per day, appended as they come)."""
    single = find_file(raw_dir, table)
    folder = raw_dir / table
    more = sorted(path for path in folder.iterdir() if path.is_file() and path.name.endswith(SUFFIXES)) if folder.is_dir() else []
    return ([single] if single else []) + more


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
        return f"read_parquet('{path}')"
    columns = ", ".join(f"{_quote(name)}: 'VARCHAR'" for name in header)
    return (
        f"read_csv('{path}', header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, columns = {{{columns}}}, encoding = 'utf-8')"
    )


def _empty_select(table: Table) -> str:
    columns = ", ".join(f"cast(null as varchar) as {name}" for name in table.column_names)
    return (
        f"select {columns}, cast(null as bigint) as raw_row_number, cast(null as varchar) as raw_source_file, "
        f"cast(null as timestamp) as raw_loaded_at limit 0"
    )


def _select_sql(table: Table, raw_file: RawFile, header: list[str], mapping: dict[str, str], loaded_at: str) -> str:
    """A DuckDB query giving one file's rows of the raw table in file order: contract columns as
    text plus the loader columns, raw_row_number left empty (_parse_files numbers the rows)."""
    values = ", ".join(
        (f"cast({_quote(mapping[name])} as varchar) as {name}" if name in mapping else f"cast(null as varchar) as {name}")
        for name in table.column_names
    )
    return (
        f"select {values}, cast(null as bigint) as raw_row_number, "
        f"'{raw_file.name}' as raw_source_file, cast('{loaded_at}' as timestamp) as raw_loaded_at "
        f"from {_scan_sql(raw_file.path, header)}"
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


@dataclass
class _FilePlan:
    raw_file: RawFile
    header: list[str]
    mapping: dict[str, str]
    rows: int = 0


@dataclass
class _TablePlan:
    table: Table
    mode: str
    files: list[_FilePlan]
    all_files: list[RawFile]
    first_row_number: int
    report: TableLoad


def load(raw_dir: Path, warehouse: Warehouse, full: bool = False) -> LoadReport:
    """Check every new or changed file against the contract, then bring each raw table up to date
    in the warehouse: a table whose files were all loaded before gets only its new files appended
    (unchanged: nothing read); any other table is replaced from all its files. `full` replaces
    every table. Files are identified by path, size and modification time (raw.segwh_loaded_files)."""
    started = time.monotonic()
    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise RawInputError(f"RAW_DIR {raw_dir} is not a folder")
    contract = load_contract()
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    previous = {} if full else _previous_loads(warehouse, raw_dir)
    existing = set(warehouse.relations(RAW_SCHEMA))

    plans: list[_TablePlan] = []
    for table in contract.values():
        files = [RawFile.of(raw_dir, path) for path in find_files(raw_dir, table.name)]
        if not files and table.required:
            raise RawInputError(
                f"{raw_dir}: required table '{table.name}' is missing (expected {table.name}.csv or {table.name}.parquet)"
            )
        before = previous.get(table.name, [])
        already = [raw_file.signature() for raw_file in files[: len(before)]]
        appendable = bool(before) and table.name in existing and already == [signature for signature, _ in before]
        new_files = files[len(before):] if appendable else files
        mode = ("appended" if new_files else "unchanged") if appendable else "replaced"
        first_row_number = max((last for _, last in before), default=0) + 1 if appendable else 1
        file_plans = []
        for raw_file in new_files:
            header = read_header(raw_file.path)
            mapping, missing, ignored = check_columns(table, raw_file.path, header)
            file_plans.append(_FilePlan(raw_file, header, mapping))
        source = files[0].name + (f" (+{len(files) - 1} more)" if len(files) > 1 else "") if files else None
        report = TableLoad(table.name, source, 0, mode=mode)
        if file_plans:
            report.missing_columns = [name for name in table.column_names if all(name not in plan.mapping for plan in file_plans)]
            report.ignored_columns = sorted({name for plan in file_plans for name in check_columns(table, plan.raw_file.path, plan.header)[2]})
        plans.append(_TablePlan(table, mode, file_plans, files, first_row_number, report))

    if isinstance(warehouse, DuckDBWarehouse):
        _load_into_duckdb(warehouse, plans, loaded_at, lambda: _log_rows(raw_dir, plans, previous, loaded_at))
    else:
        _load_through_parquet(warehouse, plans, loaded_at)
        _write_load_log(warehouse, _log_rows(raw_dir, plans, previous, loaded_at))
    for plan in plans:
        plan.report.new_rows = sum(file.rows for file in plan.files)
        plan.report.rows = int(warehouse.query(f"select count(*) from {RAW_SCHEMA}.{plan.table.name}")[0][0])
    reports = [plan.report for plan in plans]
    return LoadReport(raw_dir=raw_dir, target=warehouse.name, tables=reports, seconds=time.monotonic() - started)


def _previous_loads(warehouse: Warehouse, raw_dir: Path) -> dict[str, list[tuple[tuple[str, int, int], int]]]:
    """Per table, the files loaded before from this folder, in load order: ((name, size, modified
    ns), last raw row number)."""
    if LOAD_LOG_TABLE not in warehouse.relations(RAW_SCHEMA):
        return {}
    rows = warehouse.query(
        f"select table_name, file_name, file_size, file_modified_ns, last_raw_row_number from {RAW_SCHEMA}.{LOAD_LOG_TABLE} "
        f"where raw_dir = '{raw_dir.as_posix()}' order by table_name, first_raw_row_number"
    )
    previous: dict[str, list[tuple[tuple[str, int, int], int]]] = {}
    for table, name, size, modified_ns, last in rows:
        previous.setdefault(table, []).append(((name, int(size), int(modified_ns)), int(last)))
    return previous


LOG_COLUMNS = ("table_name", "raw_dir", "file_name", "file_size", "file_modified_ns", "first_raw_row_number",
               "last_raw_row_number", "loaded_at")
LOG_SCHEMA = ("table_name varchar, raw_dir varchar, file_name varchar, file_size bigint, file_modified_ns bigint, "
              "first_raw_row_number bigint, last_raw_row_number bigint, loaded_at timestamp")


def _log_rows(raw_dir: Path, plans: list[_TablePlan],
              previous: dict[str, list[tuple[tuple[str, int, int], int]]], loaded_at: str) -> list[tuple[object, ...]]:
    """raw.segwh_loaded_files after this load: one row per file now in each raw table."""
    rows: list[tuple[object, ...]] = []
    for plan in plans:
        last = 0
        for (name, size, modified_ns), last_row in (previous.get(plan.table.name, []) if plan.mode != "replaced" else []):
            rows.append((plan.table.name, raw_dir.as_posix(), name, size, modified_ns, last + 1, last_row, None))
            last = last_row
        last = plan.first_row_number - 1
        for file in plan.files:
            rows.append((plan.table.name, raw_dir.as_posix(), file.raw_file.name, file.raw_file.size,
                         file.raw_file.modified_ns, last + 1, last + file.rows, loaded_at))
            last += file.rows
    return rows


def _write_load_log(warehouse: Warehouse, rows: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory(prefix="segwh-load-log-") as scratch, duckdb.connect() as scribe:
        path = Path(scratch) / "log.parquet"
        scribe.execute(f"create table log ({LOG_SCHEMA})")
        if rows:
            scribe.executemany(f"insert into log values ({', '.join('?' for _ in LOG_COLUMNS)})", rows)
        scribe.execute(f"copy log to '{path}' (format parquet)")
        warehouse.replace_table_from_parquet(RAW_SCHEMA, LOAD_LOG_TABLE, path, list(LOG_COLUMNS))


def _load_into_duckdb(warehouse: DuckDBWarehouse, plans: list[_TablePlan], loaded_at: str,
                      log_rows: Callable[[], list[tuple[object, ...]]]) -> None:
    """Parse the new files straight into incoming tables, then swap or append them and write the
    load log in one transaction."""
    connection = warehouse.connection
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    connection.execute("set preserve_insertion_order = true")
    incoming = []
    try:
        for plan in plans:
            if plan.mode == "unchanged":
                continue
            name = f"{RAW_SCHEMA}.incoming__{plan.table.name}"
            incoming.append(name)
            _parse_files(connection, name, plan, loaded_at)
        connection.execute("begin transaction")
        try:
            _swap_in(connection, plans, log_rows())
        except Exception:
            connection.execute("rollback")
            raise
        connection.execute("commit")
    finally:
        for name in incoming:
            connection.execute(f"drop table if exists {name}")


def _parse_files(connection: duckdb.DuckDBPyConnection, name: str, plan: _TablePlan, loaded_at: str) -> None:
    """(Re)create table `name` holding the plan's new files as raw rows, numbered on from the
    plan's first row number in file order; records each file's row count. A file that does not
    parse stops the load naming it. The connection preserves insertion order, so the new table's
    row ids (0, 1, ...) follow the files' lines: numbering by them after the parallel parse is
    one cheap pass."""
    connection.execute(f"create or replace table {name} as {_empty_select(plan.table)}")
    rows_so_far = 0
    for file in plan.files:
        sql = _select_sql(plan.table, file.raw_file, file.header, file.mapping, loaded_at)
        try:
            connection.execute(f"insert into {name} {sql}")
        except duckdb.Error as error:
            raise _parse_error(file.raw_file.path, error) from None
        total = connection.execute(f"select count(*) from {name}").fetchone()[0]
        file.rows, rows_so_far = total - rows_so_far, total
    connection.execute(f"update {name} set raw_row_number = rowid + {plan.first_row_number}")


def _swap_in(connection: duckdb.DuckDBPyConnection, plans: list[_TablePlan], log_rows: list[tuple[object, ...]]) -> None:
    for plan in plans:
        if plan.mode == "replaced":
            connection.execute(f"drop table if exists {RAW_SCHEMA}.{plan.table.name}")
            connection.execute(f"alter table {RAW_SCHEMA}.incoming__{plan.table.name} rename to {plan.table.name}")
        elif plan.mode == "appended":
            connection.execute(f"insert into {RAW_SCHEMA}.{plan.table.name} select * from {RAW_SCHEMA}.incoming__{plan.table.name}")
    connection.execute(f"create or replace table {RAW_SCHEMA}.{LOAD_LOG_TABLE} ({LOG_SCHEMA})")
    if log_rows:
        connection.executemany(
            f"insert into {RAW_SCHEMA}.{LOAD_LOG_TABLE} values ({', '.join('?' for _ in LOG_COLUMNS)})", log_rows
        )


def _load_through_parquet(warehouse: Warehouse, plans: list[_TablePlan], loaded_at: str) -> None:
    """Parse the new files to Parquet first (so a bad file stops the load before anything is
    changed), then replace or append each raw table in the target."""
    with tempfile.TemporaryDirectory(prefix="segwh-load-") as scratch, duckdb.connect() as parser:
        parser.execute("set preserve_insertion_order = true")
        staged: list[tuple[_TablePlan, Path]] = []
        for plan in plans:
            if plan.mode == "unchanged":
                continue
            _parse_files(parser, "incoming", plan, loaded_at)
            parquet_path = Path(scratch) / f"{plan.table.name}.parquet"
            parser.execute(f"copy incoming to '{parquet_path}' (format parquet)")
            staged.append((plan, parquet_path))
        for plan, parquet_path in staged:
            columns = [*plan.table.column_names, *LOADER_COLUMNS]
            if plan.mode == "replaced":
                warehouse.replace_table_from_parquet(RAW_SCHEMA, plan.table.name, parquet_path, columns)
            else:
                warehouse.append_table_from_parquet(RAW_SCHEMA, plan.table.name, parquet_path, columns)

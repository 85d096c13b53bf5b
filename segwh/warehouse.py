"""A small connection per target for what happens outside dbt: loading raw files, counting
rows for the build summary, and reading results in tests. dbt itself connects through
profiles/profiles.yml with the same settings (segwh.targets)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import duckdb

from segwh import targets


class Warehouse(Protocol):
    name: str

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def execute(self, sql: str) -> None: ...

    def transaction(self, statements: list[str]) -> None: ...

    def replace_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None: ...

    def append_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None: ...

    def relations(self, schema: str) -> list[str]: ...

    def close(self) -> None: ...


def duckdb_settings() -> dict[str, str]:
    """The DuckDB settings of the dbt profile (profiles/profiles.yml), for the loader, the quality
    gate and publication: the same threads, memory limit, spill limit (the spill directory is
    DuckDB's default, <warehouse file>.tmp) and checkpoint threshold (a setting of the database,
    shared with dbt's connection when both are open in one process)."""
    return {
        "threads": targets.setting("SEGWH_DUCKDB_ENGINE_THREADS"),
        "memory_limit": targets.setting("SEGWH_DUCKDB_MEMORY_LIMIT"),
        "max_temp_directory_size": targets.setting("SEGWH_DUCKDB_MAX_TEMP_SIZE"),
        "checkpoint_threshold": targets.setting("SEGWH_DUCKDB_CHECKPOINT_THRESHOLD"),
    }


class DuckDBWarehouse:
    name = "duckdb"

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or targets.setting("DUCKDB_PATH"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # settings by SET, not by connect(config=...): dbt-duckdb may hold the same database open in
        # this process, and DuckDB refuses a second connection with a different configuration
        self.connection = duckdb.connect(str(self.path))
        self.connection.execute("set TimeZone = 'UTC'")
        for name, value in duckdb_settings().items():
            self.connection.execute(f"set {name} = '{value}'")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql)
        return [column[0] for column in cursor.description], cursor.fetchall()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def transaction(self, statements: list[str]) -> None:
        """Run the statements in one transaction: all of them or none."""
        self.connection.execute("begin transaction")
        try:
            for statement in statements:
                self.connection.execute(statement)
        except Exception:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")

    def replace_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        self.connection.execute(f"create schema if not exists {schema}")
        self.connection.execute(
            f"create or replace table {schema}.{table} as select * from read_parquet('{parquet_path}')"
        )

    def append_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        names = ", ".join(columns)
        self.connection.execute(f"insert into {schema}.{table} ({names}) select {names} from read_parquet('{parquet_path}')")

    def relations(self, schema: str) -> list[str]:
        rows = self.query(
            f"select table_name from information_schema.tables where table_schema = '{schema}' order by 1"
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        self.connection.close()


class PostgresWarehouse:
    name = "postgres"

    def __init__(self) -> None:
        import psycopg2

        self.connection = psycopg2.connect(
            host=targets.setting("SEGWH_PG_HOST"),
            port=int(targets.setting("SEGWH_PG_PORT")),
            user=targets.setting("SEGWH_PG_USER"),
            password=targets.setting("SEGWH_PG_PASSWORD"),
            dbname=targets.setting("SEGWH_PG_DATABASE"),
            connect_timeout=10,
        )
        self.connection.autocommit = True

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return [column.name for column in cursor.description], list(cursor.fetchall())

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)

    def transaction(self, statements: list[str]) -> None:
        """Run the statements in one transaction (DDL included): all of them or none."""
        self.connection.autocommit = False
        try:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            self.connection.commit()
        except Exception:
            self.connection.rollback()
            raise
        finally:
            self.connection.autocommit = True

    def replace_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        """Replace the table in one transaction: readers see the old rows or the new ones."""
        self._copy_in(schema, table, parquet_path, columns, replace=True)

    def append_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        self._copy_in(schema, table, parquet_path, columns, replace=False)

    def _copy_in(self, schema: str, table: str, parquet_path: Path, columns: list[str], replace: bool) -> None:
        """Copy the Parquet file's `columns` into the table (through CSV and COPY) in one
        transaction, first recreating the table with the file's column types when `replace`."""
        with tempfile.TemporaryDirectory() as scratch:
            csv_path = Path(scratch) / f"{table}.csv"
            names = ", ".join(f'"{name}"' for name in columns)
            with duckdb.connect() as converter:
                source = f"select {names} from read_parquet('{parquet_path}')"
                converter.execute(f"copy ({source}) to '{csv_path}' (header, delimiter ',')")
                types = {row[0]: row[1] for row in converter.execute(f"describe {source}").fetchall()}
            self._copy_csv(schema, table, csv_path, columns, ", ".join(
                f'"{name}" {_postgres_type(types[name])}' for name in columns) if replace else None)

    def _copy_csv(self, schema: str, table: str, csv_path: Path, columns: list[str], create: str | None) -> None:
        """Copy a CSV file into the table in one transaction, first (re)creating it when `create`
        gives its column definitions."""
        self.connection.autocommit = False
        try:
            with self.connection.cursor() as cursor:
                if create is not None:
                    cursor.execute(f"create schema if not exists {schema}")
                    cursor.execute(f"drop table if exists {schema}.{table} cascade")
                    cursor.execute(f"create table {schema}.{table} ({create})")
                names = ", ".join(f'"{name}"' for name in columns)
                with csv_path.open() as handle:
                    cursor.copy_expert(f"copy {schema}.{table} ({names}) from stdin with (format csv, header true)", handle)
            self.connection.commit()
        except Exception:
            self.connection.rollback()
            raise
        finally:
            self.connection.autocommit = True

    def relations(self, schema: str) -> list[str]:
        rows = self.query(
            f"select table_name from information_schema.tables where table_schema = '{schema}' order by 1"
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        self.connection.close()


def _postgres_type(duckdb_type: str) -> str:
    return {"BIGINT": "bigint", "TIMESTAMP": "timestamp", "INTEGER": "integer"}.get(duckdb_type, "text")


class SparkWarehouse:
    name = "spark"

    def __init__(self) -> None:
        self.session = spark_session()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self.session.sql(sql)
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def execute(self, sql: str) -> None:
        self.session.sql(sql).collect()

    def transaction(self, statements: list[str]) -> None:
        """Spark has no transactions: callers swap views for atomic replacement instead."""
        raise NotImplementedError("Spark has no transactions")

    def replace_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        self.session.sql(f"create database if not exists {schema}")
        frame = self.session.read.parquet(str(parquet_path)).select(*columns)
        # materialise before overwrite: the parquet file is temporary
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"{schema}.{table}")

    def append_table_from_parquet(self, schema: str, table: str, parquet_path: Path, columns: list[str]) -> None:
        existing = self.session.table(f"{schema}.{table}").columns
        frame = self.session.read.parquet(str(parquet_path)).select(*existing)
        frame.write.insertInto(f"{schema}.{table}")

    def relations(self, schema: str) -> list[str]:
        if not self.session.catalog.databaseExists(schema):
            return []
        return sorted(table.name for table in self.session.catalog.listTables(schema) if not table.isTemporary)

    def close(self) -> None:
        # the session is shared with dbt-spark in this process; it ends with the process
        pass


def spark_session() -> Any:
    """The process's Spark session, created with the `spark` profile's settings when missing."""
    os.environ.setdefault("PYSPARK_PYTHON", "python3")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in targets.spark_conf().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def replace_dated_rows(warehouse: Warehouse, table: str, as_of: str, selects: list[str]) -> None:
    """Rewrite `table` (schema.name, written outside dbt, with an as_of_date column) so that the
    rows of `as_of` are the rows of `selects` (SELECT statements) and every other date's rows stay.
    Copies the old rows aside first: no engine here can both read and overwrite one table."""
    using = " using parquet" if warehouse.name == "spark" else ""
    schema, name = table.split(".")
    previous = f"{table}_previous"
    kept = []
    if name in warehouse.relations(schema):
        warehouse.execute(f"drop table if exists {previous}")
        warehouse.execute(f"create table {previous}{using} as select * from {table}")
        warehouse.execute(f"drop table {table}")
        kept = [f"select * from {previous} where as_of_date <> cast('{as_of}' as date)"]
    if not selects and not kept:
        return
    warehouse.execute(f"create table {table}{using} as {' union all '.join(selects + kept)}")
    warehouse.execute(f"drop table if exists {previous}")


def connect(target: str) -> Warehouse:
    targets.check_target(target)
    if target == "duckdb":
        return DuckDBWarehouse()
    if target == "postgres":
        return PostgresWarehouse()
    return SparkWarehouse()

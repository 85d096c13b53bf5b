"""Find personal data in a warehouse and in files: every string column of every relation in every
schema, and every published file, searched for emails, phone digits and full names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "pg_toast")


@dataclass(frozen=True)
class Needles:
    emails: tuple[str, ...]  # lower-case addresses
    phone_digits: tuple[str, ...]  # the last 9 digits of E.164 numbers
    names: tuple[tuple[str, str], ...]  # (first name, last name), lower-case

    def texts(self) -> list[str]:
        return [*self.emails, *(f"{first} {last}" for first, last in self.names)]


@dataclass(frozen=True)
class Hit:
    relation: str
    column: str
    rows: int


def string_columns(warehouse: Any, target: str) -> dict[str, list[str]]:
    """relation -> its string columns, for every relation outside the system schemas."""
    columns: dict[str, list[str]] = {}
    if target == "spark":
        for (database,) in warehouse.query("show databases"):
            for row in warehouse.query(f"show tables in {database}"):
                if row[2]:  # temporary view
                    continue
                relation = f"{database}.{row[1]}"
                described = warehouse.query(f"describe {relation}")
                names = []
                for name, data_type, *_ in described:
                    if not name or name.startswith("#"):
                        break
                    if data_type == "string":
                        names.append(name)
                columns[relation] = sorted(set(names))
        return columns
    text_types = ("VARCHAR",) if target == "duckdb" else ("text", "character varying", "character")
    type_list = ", ".join(f"'{name}'" for name in text_types)
    schemas = ", ".join(f"'{name}'" for name in SYSTEM_SCHEMAS)
    database_filter = "and table_catalog = current_database()" if target == "duckdb" else ""
    rows = warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where data_type in ({type_list}) and table_schema not in ({schemas}) {database_filter}"
    )
    for schema, table, column in rows:
        columns.setdefault(f"{schema}.{table}", []).append(column)
    return columns


def _literal(target: str, text: str) -> str:
    if target == "spark":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "''") + "'"


def _digits(target: str, column: str) -> str:
    if target == "spark":
        return f"regexp_replace({column}, '[^0-9]', '')"
    return f"regexp_replace({column}, '[^0-9]', '', 'g')"


def scan_warehouse(warehouse: Any, target: str, needles: Needles) -> list[Hit]:
    hits: list[Hit] = []
    for relation, names in sorted(string_columns(warehouse, target).items()):
        if not names:
            continue
        counts = []
        for column in names:
            quoted = f"`{column}`" if target == "spark" else f'"{column}"'
            conditions = [f"lower({quoted}) like {_literal(target, '%' + text + '%')}" for text in needles.texts()]
            conditions += [f"{_digits(target, quoted)} like '%{digits}%'" for digits in needles.phone_digits]
            if not conditions:
                continue
            counts.append(f"sum(case when {' or '.join(conditions)} then 1 else 0 end)")
        lower_names = [name.lower() for name in names]
        if needles.names and "first_name" in lower_names and "last_name" in lower_names:
            pairs = " or ".join(
                f"(lower(first_name) = {_literal(target, first)} and lower(last_name) = {_literal(target, last)})"
                for first, last in needles.names
            )
            counts.append(f"sum(case when {pairs} then 1 else 0 end)")
            names = [*names, "first_name+last_name"]
        row = warehouse.query(f"select {', '.join(counts)} from {relation}")[0]
        hits += [Hit(relation, column, int(count)) for column, count in zip(names, row) if count]
    return hits


def scan_files(folder: Path, needles: Needles) -> list[Hit]:
    """Search every CSV, JSON and Parquet file and DuckDB database under `folder`."""
    hits: list[Hit] = []
    if not folder.exists():
        return hits
    for path in sorted(item for item in folder.rglob("*") if item.is_file()):
        if path.suffix == ".parquet":
            with duckdb.connect() as connection:
                text = "\n".join(str(row) for row in connection.execute(f"select * from read_parquet('{path}')").fetchall())
        elif path.suffix == ".duckdb":
            with duckdb.connect(str(path), read_only=True) as connection:
                from types import SimpleNamespace

                facade = SimpleNamespace(query=lambda sql, c=connection: c.execute(sql).fetchall())
                hits += [Hit(f"{path.name}:{hit.relation}", hit.column, hit.rows) for hit in scan_warehouse(facade, "duckdb", needles)]
            continue
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        lowered = text.lower()
        digits_only = "".join(character for character in text if character.isdigit() or character in "\n,")
        found = sum(lowered.count(needle) for needle in needles.texts())
        found += sum(digits_only.count(digits) for digits in needles.phone_digits)
        if found:
            hits.append(Hit(str(path), "*", found))
    return hits

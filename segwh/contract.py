"""The raw input contract: which files the project reads, their columns and what they mean.

Defined once in raw_contract.yml; the loader validates files against it and `segwh contract`
renders the README section and the dbt source definitions from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).with_name("raw_contract.yml")
COLUMN_TYPES = ("string", "timestamp", "date", "decimal", "integer")
# Columns the loader adds to every raw table.
LOADER_COLUMNS = ("raw_row_number", "raw_source_file", "raw_loaded_at")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    source: str
    required: bool
    description: str
    key: tuple[str, ...]
    version_by: str | None
    required_one_of: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")


@lru_cache(maxsize=1)
def load_contract() -> dict[str, Table]:
    """All raw tables by name, in the order the contract lists them."""
    document = yaml.safe_load(CONTRACT_PATH.read_text())
    tables: dict[str, Table] = {}
    for name, spec in document["tables"].items():
        for column_name, column_spec in spec["columns"].items():
            unknown = set(column_spec) - {"type", "required", "description"}
            if unknown:
                raise ValueError(f"raw contract: {name}.{column_name} has unknown keys {sorted(unknown)} (quote descriptions with commas)")
        columns = tuple(
            Column(
                name=column_name,
                type=column_spec["type"],
                required=bool(column_spec.get("required", False)),
                description=column_spec["description"],
            )
            for column_name, column_spec in spec["columns"].items()
        )
        for column in columns:
            if column.type not in COLUMN_TYPES:
                raise ValueError(f"raw contract: {name}.{column.name} has unknown type {column.type}")
        tables[name] = Table(
            name=name,
            source=spec["source"],
            required=bool(spec.get("required", False)),
            description=spec["description"],
            key=tuple(spec["key"]),
            version_by=spec.get("version_by"),
            required_one_of=tuple(spec.get("required_one_of", ())),
            columns=columns,
        )
    return tables


def render_markdown(tables: dict[str, Table]) -> str:
    """The README section describing the contract."""
    lines = [
        "One file per table in `RAW_DIR`, named `<table>.csv` (UTF-8, comma-separated, header row,",
        "double-quote quoting) or `<table>.parquet`, and/or any number of such files in a folder",
        "`<table>/` (for example one per day: `web_events/2026-11-23.csv`), read in name order. Only",
        "`orders` is required; a missing table is treated as empty and a missing optional column as",
        "null. Columns not listed are ignored. Every value is loaded as text into the `raw` schema",
        "(plus `raw_row_number`, the 1-based data row numbered across the table's files,",
        "`raw_source_file` and `raw_loaded_at`); staging casts it to the type below and quarantines",
        "values that do not parse.",
        "",
        "Loads are incremental: a table whose files were all loaded before, unchanged (same path, size",
        "and modification time, recorded in `raw.segwh_loaded_files`), gets only its new files",
        "appended, and is not read at all when there are none; a table with a changed or removed file",
        "is replaced from all its files (`segwh load --full` or `segwh build --full-refresh` replace",
        "every table). So a daily export adds a file per day and the daily run loads only that day.",
        "",
    ]
    for table in tables.values():
        required = "required" if table.required else "optional"
        lines.append(f"### `{table.name}` ({required})")
        lines.append("")
        lines.append(table.description)
        key = ", ".join(f"`{name}`" for name in table.key)
        lines.append(f"Key: {key}" + (f"; the latest `{table.version_by}` wins." if table.version_by else "."))
        if table.required_one_of:
            names = " or ".join(f"`{name}`" for name in table.required_one_of)
            lines.append(f"At least one of {names} must be present.")
        lines.append("")
        lines.append("| column | type | required | meaning |")
        lines.append("| --- | --- | --- | --- |")
        for column in table.columns:
            lines.append(
                f"| `{column.name}` | {column.type} | {'yes' if column.required else 'no'} | {column.description} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_dbt_sources(tables: dict[str, Table]) -> str:
    """The dbt source definitions of the raw schema (models/staging/_raw__sources.yml)."""
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Files loaded as text by `segwh load`; generated from segwh/raw_contract.yml by `segwh contract --write`.",
                "tables": [
                    {
                        "name": table.name,
                        "description": table.description,
                        "meta": {"key": list(table.key), "version_by": table.version_by, "source_system": table.source},
                        "columns": [
                            {"name": column.name, "description": f"({column.type}) {column.description}"}
                            for column in table.columns
                        ]
                        + [
                            {"name": "raw_row_number", "description": "1-based data row of the file (excluding the header)."},
                            {"name": "raw_source_file", "description": "File the row was loaded from."},
                            {"name": "raw_loaded_at", "description": "When the loader wrote the row (UTC)."},
                        ],
                    }
                    for table in tables.values()
                ],
            }
        ],
    }
    header = "# Generated from segwh/raw_contract.yml by `segwh contract --write`; do not edit.\n"
    return header + yaml.safe_dump(document, sort_keys=False, width=120)

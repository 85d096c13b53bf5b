"""The one place that connects Great Expectations to a target, with every engine quirk in it.

DuckDB: Great Expectations' SQL datasource closes its connection between metric queries, and an
in-process DuckDB database then returns empty results. Registering the `duckdb` dialect as one
that needs a persisted connection (as sqlite does) keeps one connection open, and every metric is
pushed down as SQL. Regular-expression expectations are not implemented for that dialect, so
pattern checks are written as SQL (`UnexpectedRowsExpectation`) with `regex_match` below.
PostgreSQL works through the ordinary SQL datasource. Spark is not supported by the gate.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from segwh import targets

# gx/great_expectations.yml is the committed configuration; every run copies it into a working
# context under gx/uncommitted/run (ignored), where the regenerated suites, checkpoints,
# validation results and Data Docs live.
GX_TEMPLATE = targets.PROJECT_DIR / "gx" / "great_expectations.yml"
GX_WORK_ROOT = targets.PROJECT_DIR / "gx" / "uncommitted" / "run"
SUPPORTED_TARGETS = ("duckdb", "postgres")


class _DuckDBDialect(str):
    """Stands in for a GXSqlDialect member: equal to the string 'duckdb', with a `.value`."""

    value = "duckdb"


def _keep_duckdb_connection_open() -> None:
    import duckdb_engine
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    # DuckDB refuses a second connection to a file with another configuration in one process, and
    # duckdb_engine adds a user-agent setting that dbt-duckdb and the loader do not: leave it out.
    duckdb_engine.supports_user_agent = False
    if not any(getattr(dialect, "value", None) == "duckdb" for dialect in engine._PERSISTED_CONNECTION_DIALECTS):
        engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, _DuckDBDialect("duckdb"))


def check_target(target: str) -> None:
    if target not in SUPPORTED_TARGETS:
        raise SystemExit(
            f"the quality gate runs on {' and '.join(SUPPORTED_TARGETS)}; target {target!r} is not supported "
            "(Great Expectations' Spark datasource would need the data in a Spark DataFrame per table; "
            "run the gate against a DuckDB or PostgreSQL copy)"
        )


def connection_string(target: str) -> str:
    check_target(target)
    if target == "duckdb":
        path = Path(targets.setting("DUCKDB_PATH")).resolve()
        return f"duckdb:///{path}"
    return (
        f"postgresql+psycopg2://{targets.setting('SEGWH_PG_USER')}:{targets.setting('SEGWH_PG_PASSWORD')}"
        f"@{targets.setting('SEGWH_PG_HOST')}:{targets.setting('SEGWH_PG_PORT')}/{targets.setting('SEGWH_PG_DATABASE')}"
    )


def context(work_root: Path = GX_WORK_ROOT) -> Any:
    """A file context built from the committed gx/great_expectations.yml in the ignored work folder."""
    import shutil

    import great_expectations as gx

    (work_root / "gx").mkdir(parents=True, exist_ok=True)
    # suites, validation definitions and checkpoints are regenerated from code on every run;
    # validation results and Data Docs (gx/uncommitted) are kept as history
    for generated in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(work_root / "gx" / generated, ignore_errors=True)
    shutil.copyfile(GX_TEMPLATE, work_root / "gx" / "great_expectations.yml")
    return gx.get_context(mode="file", project_root_dir=str(work_root))


def datasource(gx_context: Any, target: str) -> Any:
    """The target as a SQL datasource. The connection string is passed through an environment
    variable, so no configuration file holds a path or a password."""
    variable = f"SEGWH_GX_CONNECTION_{target.upper()}"
    os.environ[variable] = connection_string(target)
    name = f"warehouse_{target}"
    if target == "duckdb":
        _keep_duckdb_connection_open()
        return gx_context.data_sources.add_or_update_sql(name=name, connection_string="${" + variable + "}")
    return gx_context.data_sources.add_or_update_postgres(name=name, connection_string="${" + variable + "}")



def regex_match(target: str, column: str, pattern: str) -> str:
    """SQL that is true when `column` fully matches `pattern` (no backslashes in the pattern)."""
    if target == "duckdb":
        return f"regexp_full_match({column}, '{pattern}')"
    if target == "spark":
        return f"({column} rlike '^(?:{pattern})$')"
    return f"({column} ~ '^(?:{pattern})$')"


def rows_where(target: str, alias: str, condition: str | None) -> str:
    """The rows of the batch meeting `condition` (every row when it is None) under `alias`, for an
    UnexpectedRowsExpectation query."""
    if condition is None:
        return batch(target, alias)
    return f"(select * from {batch(target, 'loaded_rows')} where {condition}) as {alias}"


def timestamp_text_prefix(column: str) -> str:
    """The 'YYYY-MM-DD HH:MM:SS' part of an ISO timestamp written as text, for comparisons."""
    return f"replace(substr({column}, 1, 19), 'T', ' ')"


def release(datasource: Any) -> None:
    """Close every connection the datasource holds, so dbt (or the loader) can open the database
    with its own configuration afterwards in the same process."""
    try:
        execution_engine = datasource.get_execution_engine()
        if getattr(execution_engine, "_connection", None) is not None:
            execution_engine._connection.close()
            execution_engine._connection = None
        execution_engine.close()
    except Exception:  # noqa: BLE001 - nothing was opened
        pass
    try:
        datasource.get_engine().dispose()
    except Exception:  # noqa: BLE001
        pass


def batch(target: str, alias: str, joined: bool = False) -> str:
    """The `{batch}` of an UnexpectedRowsExpectation query under `alias`. Great Expectations
    substitutes the batch as an unaliased subquery into a query with a JOIN and as one aliased
    `subselect` into any other (on PostgreSQL; DuckDB accepts both): `joined` says which."""
    if joined and target == "postgres":
        return "{batch} as " + alias
    return "(select * from {batch}) as " + alias

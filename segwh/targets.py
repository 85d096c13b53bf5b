"""Where the warehouse lives on each target: one place for the settings the profile also reads.

profiles/profiles.yml reads the same environment variables with the same defaults; the command
line sets them explicitly (as absolute paths) before it starts dbt so both always agree.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGETS = ("duckdb", "postgres", "spark")

DEFAULTS: dict[str, str] = {
    "DUCKDB_PATH": "data/warehouse.duckdb",
    "SEGWH_DUCKDB_ENGINE_THREADS": "2",
    "SEGWH_DUCKDB_MEMORY_LIMIT": "6GB",
    "SEGWH_DUCKDB_MAX_TEMP_SIZE": "100GB",
    "SEGWH_DUCKDB_CHECKPOINT_THRESHOLD": "4GB",
    "SEGWH_BI_DUCKDB_PATH": "data/bi.duckdb",
    "SEGWH_PG_HOST": "127.0.0.1",
    "SEGWH_PG_PORT": "55432",
    "SEGWH_PG_USER": "segwh",
    "SEGWH_PG_PASSWORD": "segwh",
    "SEGWH_PG_DATABASE": "segwh",
    "SEGWH_SPARK_WAREHOUSE": "data/spark",
    "SEGWH_SPARK_MASTER": "local[2]",
    "SEGWH_SPARK_SHUFFLE_PARTITIONS": "4",
    "SEGWH_SPARK_DRIVER_MEMORY": "4g",
}
PATH_SETTINGS = ("DUCKDB_PATH", "SEGWH_BI_DUCKDB_PATH", "SEGWH_SPARK_WAREHOUSE")


def setting(name: str) -> str:
    """The value of a connection setting: the environment, else the documented default."""
    value = os.environ.get(name) or DEFAULTS[name]
    if name in PATH_SETTINGS:
        path = Path(value)
        return str(path if path.is_absolute() else (Path.cwd() / path).resolve())
    return value


def export_settings() -> None:
    """Write every setting into the environment (paths made absolute) for dbt's profile."""
    for name in DEFAULTS:
        os.environ[name] = setting(name)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"


def check_target(name: str) -> str:
    if name not in TARGETS:
        raise ValueError(f"unknown target '{name}': choose one of {', '.join(TARGETS)}")
    return name


def spark_conf() -> dict[str, str]:
    """The Spark session settings of the `spark` profile (kept equal to profiles.yml)."""
    warehouse = setting("SEGWH_SPARK_WAREHOUSE")
    return {
        "spark.master": setting("SEGWH_SPARK_MASTER"),
        "spark.sql.warehouse.dir": f"{warehouse}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={warehouse}/metastore_db;create=true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": setting("SEGWH_SPARK_SHUFFLE_PARTITIONS"),
        "spark.ui.enabled": "false",
        "spark.driver.memory": setting("SEGWH_SPARK_DRIVER_MEMORY"),
        # dbt-spark sets this for its own session too
        "spark.sql.ansi.enabled": "false",
    }

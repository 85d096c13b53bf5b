"""Baselines the benchmark measures next to the dbt build (`python -m segwh.bench_baselines ...`):

- `pandas`: RFM scores and lifecycle stages written as a straightforward pandas script, what an
  analyst would otherwise run on the raw files (no identity resolution, no quarantine, no tests;
  customers are their customer id, else their lower-cased email);
- `sql`: the SQL of every dbt model as a full refresh compiles it (`dbt compile --full-refresh`
  against the built warehouse) run directly in DuckDB, in dependency order, without dbt (no
  hooks, tests, incremental logic or run results): the overhead of dbt itself is the difference.
  Models that keep rows across builds (`full_refresh: false`: the erasure log, the history logs)
  and identity's label propagation (a loop in its materialization) are copied as inputs, not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from segwh.targets import PROJECT_DIR

QUALIFYING = ("completed", "shipped", "delivered")


def pandas_rfm_lifecycle(raw_dir: Path, as_of: date) -> dict[str, int]:
    """RFM and lifecycle per customer from the raw orders files; returns counts per stage."""
    import pandas as pd

    files = [raw_dir / "orders.csv", *sorted((raw_dir / "orders").glob("*.csv"))] if (raw_dir / "orders").is_dir() else [
        raw_dir / "orders.csv"]
    orders = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]) for path in files])
    rates = pd.read_csv(PROJECT_DIR / "seeds" / "currency_rates.csv").set_index("currency_code")["units_per_usd"]
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], errors="coerce", utc=True, format="mixed")
    orders["amount"] = pd.to_numeric(orders["amount"], errors="coerce")
    orders["refunded_amount"] = pd.to_numeric(orders["refunded_amount"], errors="coerce").fillna(0.0)
    end = pd.Timestamp(as_of + timedelta(days=1), tz="UTC")
    orders = orders[orders["status"].str.strip().str.lower().isin(QUALIFYING) & (orders["ordered_at"] < end)
                    & orders["amount"].notna()]
    orders = orders.drop_duplicates("order_id", keep="last")
    rate = orders["currency"].fillna("USD").str.upper().map(rates).fillna(1.0)
    orders = orders.assign(
        customer=orders["customer_id"].fillna(orders["email"].str.strip().str.lower()),
        net=(orders["amount"] - orders["refunded_amount"]) / rate,
        day=orders["ordered_at"].dt.tz_convert(None).dt.normalize(),
    )
    as_of_day = pd.Timestamp(as_of)
    per_customer = orders.groupby("customer").agg(first=("day", "min"), last=("day", "max"),
                                                  frequency=("order_id", "count"), monetary=("net", "sum"))
    per_customer["recency"] = (as_of_day - per_customer["last"]).dt.days
    per_customer["age"] = (as_of_day - per_customer["first"]).dt.days

    def score(values: pd.Series, ascending: bool) -> pd.Series:
        ranks = values.rank(method="min", ascending=ascending)
        return (((ranks - 1) * 5) // len(values) + 1).astype(int)

    per_customer["r_score"] = score(per_customer["recency"], ascending=False)
    per_customer["f_score"] = score(per_customer["frequency"], ascending=True)
    per_customer["m_score"] = score(per_customer["monetary"], ascending=True)
    stage = pd.Series("active", index=per_customer.index)
    stage[per_customer["frequency"] >= 4] = "loyal"
    stage[per_customer["recency"] >= 60] = "dormant"
    stage[per_customer["recency"] >= 180] = "churned"
    stage[per_customer["age"] < 30] = "new"
    per_customer["lifecycle_stage"] = stage
    return {str(name): int(count) for name, count in per_customer["lifecycle_stage"].value_counts().items()}


def compile_full_refresh(warehouse: Path, target_path: Path, as_of: str) -> None:
    """`dbt compile --full-refresh` against `warehouse` into `target_path`: every model's SQL as a
    full build runs it (an incremental run's SQL reads the model's own earlier rows). In a child
    process: dbt-duckdb keeps the database open in the process that ran dbt."""
    import os
    import subprocess

    env = {**os.environ, "DUCKDB_PATH": str(warehouse), "SEGWH_DBT_TARGET_PATH": str(target_path)}
    subprocess.run([sys.executable, "-m", "segwh.bench_baselines", "compile", "--as-of-date", as_of], env=env, check=True)


def copied_not_run(target_path: Path) -> set[tuple[str, str]]:
    """(schema, name) of the models the baseline copies instead of running: those configured
    `full_refresh: false` (logs that keep their rows) and those of a custom materialization
    (identity's label propagation loops in its materialization; its compiled SQL is only the
    edges it starts from)."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    return {(node["schema"], node["alias"]) for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and (
                node["config"].get("full_refresh") is False
                or node["config"]["materialized"] not in ("table", "view", "incremental"))}


def compiled_models_in_order(target_path: Path) -> list[tuple[str, str, str, str]]:
    """(schema, name, materialization, compiled SQL) of every model dbt compiled, parents first."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        for parent in models[uid]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(uid)

    for uid in sorted(models):
        visit(uid)
    result = []
    for uid in ordered:
        node = models[uid]
        compiled = target_path / "compiled" / node["package_name"] / node["original_file_path"]
        if compiled.exists():
            result.append((node["schema"], node["alias"], node["config"]["materialized"], compiled.read_text()))
    return result


def run_compiled_sql(source_warehouse: Path, as_of: str, work_dir: Path) -> dict[str, float]:
    """Compile every model as a full refresh, copy every table of a built warehouse that no
    model run here builds (raw tables, seeds, fitted parameters, published audience, logs) into a
    new DuckDB file with the same name, then run every compiled model there in dependency order.
    Returns seconds per model."""
    import duckdb

    work_dir.mkdir(parents=True, exist_ok=True)
    target_path = work_dir / "dbt_target"
    compile_full_refresh(source_warehouse, target_path, as_of)
    copied = copied_not_run(target_path)
    models = [model for model in compiled_models_in_order(target_path) if (model[0], model[1]) not in copied]
    run_here = {(schema, name) for schema, name, _, _ in models}
    copy = work_dir / source_warehouse.name
    copy.unlink(missing_ok=True)
    connection = duckdb.connect(str(copy))
    connection.execute(f"attach '{source_warehouse}' as source (read_only)")
    tables = [(schema, name) for schema, name in connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'source'").fetchall()
        if (schema, name) not in run_here]
    for schema, table in tables:
        connection.execute(f"create schema if not exists {schema}")
        connection.execute(f"create or replace table {schema}.{table} as select * from source.{schema}.{table}")
    connection.execute("detach source")
    seconds: dict[str, float] = {}
    for schema, name, materialized, sql in models:
        connection.execute(f"create schema if not exists {schema}")
        kind = "view" if materialized == "view" else "table"
        started = time.monotonic()
        connection.execute(f"create or replace {kind} {schema}.{name} as {sql}")
        seconds[name] = time.monotonic() - started
    connection.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segwh.bench_baselines")
    commands = parser.add_subparsers(dest="command", required=True)
    pandas_command = commands.add_parser("pandas")
    pandas_command.add_argument("--raw-dir", required=True)
    pandas_command.add_argument("--as-of-date", required=True)
    compile_command = commands.add_parser("compile")
    compile_command.add_argument("--as-of-date", required=True)
    sql_command = commands.add_parser("sql")
    sql_command.add_argument("--warehouse", required=True)
    sql_command.add_argument("--as-of-date", required=True)
    sql_command.add_argument("--work-dir", required=True)
    sql_command.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "compile":
        from segwh import dbt_runner

        dbt_runner.invoke(["compile", "--full-refresh", "--select", "resource_type:model"], "duckdb",
                          {"as_of_date": args.as_of_date})
    elif args.command == "pandas":
        print(json.dumps(pandas_rfm_lifecycle(Path(args.raw_dir), date.fromisoformat(args.as_of_date))))
    else:
        seconds = run_compiled_sql(Path(args.warehouse), args.as_of_date, Path(args.work_dir))
        Path(args.out).write_text(json.dumps(seconds, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

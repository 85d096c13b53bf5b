"""The main job: load raw files, run `dbt build`, print a summary. `make build` runs this."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from segwh import dbt_runner, erasure, publish
from segwh.cli import DEMO_DIR, _as_of_date, _print_load

LAYERS = ("raw", "staging", "intermediate", "marts", "activation", "privacy")


@dataclass
class LayerCount:
    layer: str
    relations: int
    rows: int


def build(
    target: str, raw_dir: Path | None, as_of_date: str | None, demo_customers: int, timings_file: Path | None = None,
    run_dbt_tests: bool = True, full_refresh: bool = False,
) -> int:
    """The main job; `run_dbt_tests=False` builds without dbt's data and unit tests (the quality
    gate and the activation audit still run); `full_refresh` reloads every raw file and rebuilds
    the incremental models from scratch."""
    from segwh.generator import GeneratorConfig, generate
    from segwh.loader import load
    from segwh.warehouse import connect

    started = time.monotonic()
    if raw_dir is None:
        raw_dir = DEMO_DIR
        if not (raw_dir / "dataset.json").exists():
            print(f"no RAW_DIR given and no demo data yet: generating {demo_customers:,} customers into {raw_dir}")
            summary = generate(GeneratorConfig(customers=demo_customers), raw_dir)
            print(f"generated in {summary.seconds:.1f}s")
    as_of = _as_of_date(raw_dir, as_of_date)
    print(f"building {target} as of {as_of} from {raw_dir}")

    warehouse = connect(target)
    try:
        report = load(raw_dir, warehouse, full=full_refresh)
    finally:
        warehouse.close()
    _print_load(report)
    erasure_started = time.monotonic()
    erasure.purge_and_log(target, as_of)
    erasure_seconds = time.monotonic() - erasure_started

    quality_seconds: dict[str, float] = {}
    code = _quality("raw", target, as_of, quality_seconds)
    if code:
        return code

    dbt_started = time.monotonic()
    fit_seconds = dbt_build(target, as_of, run_dbt_tests, full_refresh)
    dbt_seconds = time.monotonic() - dbt_started

    code = _quality("marts", target, as_of, quality_seconds)
    if code:
        return code

    publish_seconds: dict[str, float] = {}
    code = publish.publish(target, as_of, seconds=publish_seconds)
    if code:
        return code

    warehouse = connect(target)
    try:
        counts = layer_counts(warehouse)
        quarantined = warehouse.query("select count(*) from staging.stg_quarantined_rows")[0][0]
        superseded = warehouse.query("select count(*) from staging.stg_superseded_rows")[0][0]
        erased = warehouse.query("select count(*) from privacy.erasure_log where identifier_type = 'customer_key'")[0][0]
        purged = 0
        if "erasure_purges" in warehouse.relations("privacy"):
            purged = warehouse.query(
                "select coalesce(sum(purged_rows), 0) from privacy.erasure_purges as purges "
                "where raw_loaded_at = (select max(raw_loaded_at) from raw.orders)")[0][0]
    finally:
        warehouse.close()
    print()
    print(f"summary ({target}, as of {as_of})")
    for count in counts:
        print(f"  {count.layer:<13} {count.relations:>3} relations {count.rows:>14,} rows")
    print(f"  quarantined   {quarantined:>18,} raw rows (staging.stg_quarantined_rows, by reason code)")
    print(f"  superseded    {superseded:>18,} raw rows (older versions and duplicate deliveries: staging.stg_superseded_rows)")
    print(f"  erased        {erased:>18,} people so far (privacy.erasure_log); {purged:,} raw rows purged from this load")
    print(f"  time          {time.monotonic() - started:>17.1f}s (load {report.seconds:.1f}s, dbt build {dbt_seconds:.1f}s)")
    if timings_file is not None:
        timings = {"load raw files": report.seconds, "erasure": erasure_seconds,
                   **{f"quality {stage}": seconds for stage, seconds in quality_seconds.items() if stage == "raw"},
                   "dbt build (both parts, with the fits)": dbt_seconds, **fit_seconds,
                   **{f"quality {stage}": seconds for stage, seconds in quality_seconds.items() if stage != "raw"},
                   **publish_seconds, "whole build": time.monotonic() - started,
                   "raw rows loaded": float(report.new_rows)}
        timings_file.write_text(json.dumps(timings, indent=2) + "\n")
    return 0


# the models the Python fitting step reads; dbt builds them (and what they need) first
FIT_INPUTS = ("customer_purchase_statistics", "customer_cluster_features")


def dbt_build(target: str, as_of: str, run_dbt_tests: bool = True, full_refresh: bool = False) -> dict[str, float]:
    """`dbt build` in two parts with the fitting step between them: first the fit inputs and
    everything they depend on, then the fits (segwh/clv.py writes marts.clv_model_parameters,
    segwh/clusters.py marts.customer_cluster_centroids), then everything else (predictions,
    clusters, the profile that carries them, segments, activation). Returns each fit's seconds.
    `full_refresh` rebuilds the incremental models from scratch (not the erasure log)."""
    from datetime import date

    from segwh import clusters, clv
    from segwh.warehouse import connect

    skip_tests = [] if run_dbt_tests else ["--exclude-resource-type", "test", "unit_test"]
    # cautious: a test runs in the part that builds all of its parents (the raw-row accounting
    # test reads staging models of both parts, so it runs in the second)
    skip_tests += ["--indirect-selection", "cautious"] + (["--full-refresh"] if full_refresh else [])
    variables = {"as_of_date": as_of}
    inputs = [f"+{name}" for name in FIT_INPUTS]
    dbt_runner.invoke(["build", "--select", *inputs, *skip_tests], target, variables)
    dbt_runner.keep_run_results(target, "part1")
    warehouse = connect(target)
    seconds: dict[str, float] = {}
    try:
        started = time.monotonic()
        clv.fit_and_store(warehouse, date.fromisoformat(as_of))
        seconds["clv fit (BG/NBD, Gamma-Gamma)"] = time.monotonic() - started
        started = time.monotonic()
        clusters.fit_and_store(warehouse, date.fromisoformat(as_of))
        seconds["cluster fit (k-means)"] = time.monotonic() - started
    finally:
        warehouse.close()
    dbt_runner.invoke(["build", "--exclude", *inputs, *skip_tests], target, variables)
    return seconds


def _quality(stage: str, target: str, as_of: str, seconds: dict[str, float]) -> int:
    """Run a stage of the quality gate; returns non-zero when an error-severity suite failed."""
    from datetime import date

    from segwh.quality.connection import SUPPORTED_TARGETS
    from segwh.quality.runner import run_stage

    if target not in SUPPORTED_TARGETS:
        print(f"quality {stage}: skipped, the gate runs on {' and '.join(SUPPORTED_TARGETS)} (see README)")
        return 0
    started = time.monotonic()
    code, _ = run_stage(stage, target, date.fromisoformat(as_of))
    seconds[stage] = time.monotonic() - started
    if code:
        print(f"stopped: the {stage} quality gate failed (see the table above)")
    return code


def layer_counts(warehouse) -> list[LayerCount]:  # type: ignore[no-untyped-def]
    counts = []
    for layer in LAYERS:
        relations = warehouse.relations(layer)
        rows = 0
        for relation in relations:
            rows += int(warehouse.query(f"select count(*) from {layer}.{relation}")[0][0])
        counts.append(LayerCount(layer, len(relations), rows))
    return counts

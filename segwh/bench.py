"""`make bench`: generate a scale, load and build it on DuckDB in a child process, and write
bench/report.md with stage times, per-model seconds (dbt's run_results.json), rows per model,
peak memory of the process tree and the warehouse size. Optionally times `make test` per target."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from segwh.targets import PROJECT_DIR

DEMO_CUSTOMERS = 20_000


@dataclass
class TreeMemorySampler:
    """Samples the summed resident memory of a process and all its descendants (Linux /proc)."""

    root_pid: int
    interval: float = 0.2
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "TreeMemorySampler":
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def stop(self) -> int:
        self._stop.set()
        return self.peak_bytes

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.root_pid))
            time.sleep(self.interval)


def tree_rss_bytes(root_pid: int) -> int:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree = {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in tree:
        try:
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a command, returning (seconds, peak tree memory in bytes, combined output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_DIR)
    sampler = TreeMemorySampler(process.pid).start()
    output, _ = process.communicate()
    peak = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-4000:]}")
    return time.monotonic() - started, peak, output


# dbt's run results of a build: the erasure step's identity build (when requests were pending)
# and the two parts of the main build
RUN_RESULTS = ("run_results.erasure.json", "run_results.part1.json", "run_results.json")
EVENT_MODELS = ("base_web__events", "base_esp__email_events", "int_events__web_sessionized",
                "int_events__web_attributed", "int_events__email_attributed", "int_events__web_sessions")
# tables a daily export delivers a new file of: rows that arrived on the last day go to <table>/<day>.csv
DAILY_TABLES = {"web_events": "coalesce(received_at, occurred_at)", "email_events": "coalesce(received_at, occurred_at)",
                "orders": "coalesce(updated_at, ordered_at)", "consent_events": "occurred_at"}
# The generator dates every erasure request at least a day before its data's end, so the last day
# has none: the daily files carry the requests of the day before it instead (about 30 at 1M), a
# day of requests as a real daily run gets them.
REQUESTS_TABLE, REQUESTS_ARRIVAL = "erasure_requests", "requested_at"


@dataclass
class BuildMeasure:
    """One `segwh build`: wall seconds, peak memory of its process tree, its stage timings, dbt's
    seconds per model (every run of it in the build: the erasure step's and the main build's) and
    the seconds of each model's longest single run (one computation, compared with its SQL run
    once without dbt)."""

    seconds: float
    peak_bytes: int
    stages: dict[str, float]
    model_seconds: dict[str, float]
    longest_run_seconds: dict[str, float] = field(default_factory=dict)

    def event_model_seconds(self) -> float:
        return sum(self.model_seconds.get(name, 0.0) for name in EVENT_MODELS)


@dataclass
class ScaleResult:
    customers: int
    raw_rows: dict[str, int]
    day_rows: int
    generate_seconds: float
    full: BuildMeasure
    daily: BuildMeasure
    size_bytes: int
    relation_rows: dict[str, int] = field(default_factory=dict)
    pandas_seconds: float = 0.0
    pandas_peak_bytes: int = 0
    sql_model_seconds: dict[str, float] = field(default_factory=dict)
    day_requests: int = 0

    @property
    def total_raw_rows(self) -> int:
        return sum(self.raw_rows.values())


def scales_for(customers: int) -> list[int]:
    """The main scale and two smaller ones (10% and 30% of it), for the growth exponent."""
    return sorted({max(customers // 10, 1000), max(3 * customers // 10, 1000), customers})


def run_bench(customers: int, out_dir: Path, test_times: bool = False) -> int:
    out_dir = PROJECT_DIR / out_dir if not out_dir.is_absolute() else out_dir
    results = []
    for scale in scales_for(customers):
        results.append(bench_scale(scale, out_dir, main=scale == customers))
        print(f"{scale:,} customers: full build {results[-1].full.seconds:.0f}s, daily run {results[-1].daily.seconds:.0f}s")
    demo_stages, backtest = _demo_quality_seconds(out_dir)
    test_rows: list[tuple[str, float]] = []
    if test_times:
        for target in ("duckdb", "postgres", "spark"):
            seconds, _, _ = run_measured(["make", "test", f"TARGET={target}"], dict(os.environ))
            test_rows.append((target, seconds))
            print(f"make test TARGET={target}: {seconds:.0f}s")
    report = render_report(results, demo_stages, backtest, test_rows)
    (out_dir / "report.md").write_text(report)
    print(f"wrote {out_dir / 'report.md'}")
    return 0


def split_last_day(raw_dir: Path, day_dir: Path, last_day: str) -> int:
    """Move the rows of DAILY_TABLES that arrived on `last_day` out of the generated files into
    `day_dir/<table>/<last_day>.csv` (order items follow their orders), and the erasure requests
    of the day before it (REQUESTS_TABLE). Rows dated later (the generator's planted future-dated
    rows) stay in the history files: they did not arrive that day. Returns the count moved."""
    from datetime import date, timedelta

    import duckdb

    request_day = (date.fromisoformat(last_day) - timedelta(days=1)).isoformat()
    arrivals = [(table, arrival, last_day) for table, arrival in DAILY_TABLES.items()]
    arrivals.append((REQUESTS_TABLE, REQUESTS_ARRIVAL, request_day))
    moved = 0
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        for table, arrival, day in arrivals:
            source = raw_dir / f"{table}.csv"
            (day_dir / table).mkdir(parents=True, exist_ok=True)
            connection.execute(f"create or replace table rows as select * from read_csv('{source}', all_varchar = true, header = true)")
            # rows without an arrival time (malformed) stay in the history files
            late = f"coalesce(substr({arrival}, 1, 10) = '{day}', false)"
            connection.execute(f"copy (select * from rows where {late}) to '{day_dir / table / (last_day + '.csv')}' (header)")
            moved += connection.execute(f"select count(*) from rows where {late}").fetchone()[0]
            if table == "orders":
                connection.execute(
                    f"create or replace table day_orders as select distinct order_id from rows where {late} and order_id is not null")
            connection.execute(f"copy (select * from rows where not ({late})) to '{source}' (header)")
        items = raw_dir / "order_items.csv"
        connection.execute(f"create or replace table rows as select * from read_csv('{items}', all_varchar = true, header = true)")
        (day_dir / "order_items").mkdir(parents=True, exist_ok=True)
        in_day = "coalesce(order_id in (select order_id from day_orders), false)"
        connection.execute(f"copy (select * from rows where {in_day}) to '{day_dir / 'order_items' / (last_day + '.csv')}' (header)")
        moved += connection.execute(f"select count(*) from rows where {in_day}").fetchone()[0]
        connection.execute(f"copy (select * from rows where not ({in_day})) to '{items}' (header)")
    return moved


def bench_scale(customers: int, out_dir: Path, main: bool) -> ScaleResult:
    """Generate a scale, hold its last day back, build the rest as of the day before (the full
    build), then add the day's files and build again (the daily incremental run)."""
    import shutil
    from datetime import timedelta

    from segwh.generator import GeneratorConfig, generate

    run_dir = out_dir / "runs" / str(customers)
    if run_dir.exists():
        shutil.rmtree(run_dir)
    raw_dir, day_dir = run_dir / "raw", run_dir / "day"
    started = time.monotonic()
    summary = generate(GeneratorConfig(customers=customers, seed=42), raw_dir)
    generate_seconds = time.monotonic() - started
    last_day = summary.end_date.isoformat()
    day_rows = split_last_day(raw_dir, day_dir, last_day)
    print(f"generated {sum(summary.rows.values()):,} raw rows in {generate_seconds:.1f}s ({day_rows:,} held back for the daily run)")

    dbt_target = run_dir / "dbt_target"
    env = {
        **os.environ,
        "DUCKDB_PATH": str(run_dir / "warehouse.duckdb"),
        "SEGWH_DBT_TARGET_PATH": str(dbt_target),
        "SEGWH_PUBLISHED_DIR": str(run_dir / "published"),
        "SEGWH_BI_DUCKDB_PATH": str(run_dir / "bi.duckdb"),
    }
    day_before = (summary.end_date - timedelta(days=1)).isoformat()
    full = _measured_build(raw_dir, day_before, env, dbt_target, run_dir / "full")
    size_bytes = sum(path.stat().st_size for path in run_dir.glob("warehouse.duckdb*"))
    result = ScaleResult(customers, summary.rows, day_rows, generate_seconds, full, full, size_bytes,
                         day_requests=_csv_rows(day_dir / REQUESTS_TABLE / f"{last_day}.csv"))
    if main:
        result.relation_rows = _relation_rows(run_dir / "warehouse.duckdb")
        shutil.copytree(dbt_target, run_dir / "full" / "dbt_target", dirs_exist_ok=True)
        seconds, peak, _ = run_measured([sys.executable, "-m", "segwh.bench_baselines", "pandas", "--raw-dir", str(raw_dir),
                                         "--as-of-date", day_before], env)
        result.pandas_seconds, result.pandas_peak_bytes = seconds, peak
        sql_out = run_dir / "sql_baseline.json"
        run_measured([sys.executable, "-m", "segwh.bench_baselines", "sql", "--warehouse", str(run_dir / "warehouse.duckdb"),
                      "--as-of-date", day_before, "--work-dir", str(run_dir / "sql_baseline"),
                      "--out", str(sql_out)], env)
        result.sql_model_seconds = json.loads(sql_out.read_text())
        shutil.rmtree(run_dir / "sql_baseline", ignore_errors=True)

    for table_dir in day_dir.iterdir():
        (raw_dir / table_dir.name).mkdir(exist_ok=True)
        for path in table_dir.iterdir():
            shutil.copy(path, raw_dir / table_dir.name / path.name)
    result.daily = _measured_build(raw_dir, last_day, env, dbt_target, run_dir / "daily")
    if not main:
        for bulky in (raw_dir, day_dir, run_dir / "published"):
            shutil.rmtree(bulky, ignore_errors=True)
        for path in run_dir.glob("*.duckdb*"):
            path.unlink()
    return result


def _csv_rows(path: Path) -> int:
    import csv

    with path.open(newline="") as rows:
        return max(sum(1 for _ in csv.reader(rows)) - 1, 0)


def _measured_build(raw_dir: Path, as_of: str, env: dict[str, str], dbt_target: Path, keep: Path) -> BuildMeasure:
    keep.mkdir(parents=True, exist_ok=True)
    for name in RUN_RESULTS:
        (dbt_target / name).unlink(missing_ok=True)
    timings_file = keep / "build_timings.json"
    seconds, peak, output = run_measured(
        [sys.executable, "-m", "segwh", "build", "--raw-dir", str(raw_dir), "--as-of-date", as_of,
         "--timings-file", str(timings_file)], env)
    (keep / "build.log").write_text(output)
    for name in RUN_RESULTS:
        if (dbt_target / name).exists():
            (keep / name).write_text((dbt_target / name).read_text())
    # read from dbt's target, where the files of earlier builds were removed above (`keep` may
    # still hold an erasure step's results from an earlier bench run)
    model_seconds, longest_run_seconds = model_run_seconds(dbt_target)
    return BuildMeasure(seconds, peak, json.loads(timings_file.read_text()), model_seconds, longest_run_seconds)


def model_run_seconds(folder: Path) -> tuple[dict[str, float], dict[str, float]]:
    """From a build's run results in `folder` (RUN_RESULTS), each model's and seed's seconds
    over every run of it (a model built by the erasure step and again by the main build counts
    both) and the seconds of its longest single run."""
    total: dict[str, float] = {}
    longest: dict[str, float] = {}
    for name in RUN_RESULTS:
        if not (folder / name).exists():
            continue
        for result in json.loads((folder / name).read_text())["results"]:
            if result["unique_id"].startswith(("model.", "seed.")):
                model = result["unique_id"].split(".")[-1]
                seconds = float(result["execution_time"])
                total[model] = total.get(model, 0.0) + seconds
                longest[model] = max(longest.get(model, 0.0), seconds)
    return total, longest


def _relation_rows(warehouse: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = [row[0] for row in connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables order by 1").fetchall()]
        return {name: connection.execute(f"select count(*) from {name}").fetchone()[0] for name in names}


def _demo_quality_seconds(out_dir: Path, customers: int = DEMO_CUSTOMERS) -> tuple[dict[str, float], str]:
    """Build the demo size too; return its stage times (the quality gate's demo figures) and the
    CLV back-test on it."""
    from segwh.generator import GeneratorConfig, generate

    run_dir = out_dir / "runs" / f"demo-{customers}"
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob("warehouse.duckdb*"):
        stale.unlink()
    generate(GeneratorConfig(customers=customers, seed=42), run_dir / "raw")
    timings_file = run_dir / "build_timings.json"
    env = {**os.environ, "DUCKDB_PATH": str(run_dir / "warehouse.duckdb"),
           "SEGWH_DBT_TARGET_PATH": str(run_dir / "dbt_target"),
           "SEGWH_PUBLISHED_DIR": str(run_dir / "published"), "SEGWH_BI_DUCKDB_PATH": str(run_dir / "bi.duckdb")}
    run_measured([sys.executable, "-m", "segwh", "build", "--raw-dir", str(run_dir / "raw"),
                  "--timings-file", str(timings_file)], env)
    stages = {str(stage): float(seconds) for stage, seconds in json.loads(timings_file.read_text()).items()}
    return stages, _backtest(env, run_dir / "raw")


def _backtest(env: dict[str, str], raw_dir: Path, holdout_days: int = 180) -> str:
    """The CLV back-test on the demo warehouse, as a markdown table."""
    from datetime import date

    from segwh import clv

    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        as_of = date.fromisoformat(json.loads((raw_dir / "dataset.json").read_text())["as_of_date"])
        table = clv.backtest("duckdb", as_of, holdout_days)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    lines = [f"Fitted as of {table.attrs['calibration']}, expected vs actual purchase days in the next {holdout_days} days, "
             "by repeat purchase days in the calibration period (7 = 7 or more):", "",
             "| repeat purchase days | customers | predicted | actual |", "| ---: | ---: | ---: | ---: |"]
    lines += [f"| {group} | {int(row.customers):,} | {row.predicted:.1f} | {row.actual:.0f} |" for group, row in table.iterrows()]
    total_predicted, total_actual = table.predicted.sum(), table.actual.sum()
    lines += [f"| **total** | {int(table.customers.sum()):,} | **{total_predicted:.1f}** | **{total_actual:.0f}** |", "",
              f"Total error: {100 * (total_predicted - total_actual) / total_actual:+.1f}%."]
    return "\n".join(lines)


def growth_exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(seconds) against log(rows)."""
    import math

    xs = [math.log(rows) for rows, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / denominator if denominator else float("nan")


def _build_seconds(measure: BuildMeasure) -> float:
    """A build's wall time as `segwh build` measured it (the process adds start-up)."""
    return measure.stages.get("whole build", measure.seconds)


def render_report(results: list[ScaleResult], demo_stages: dict[str, float] | None = None, backtest: str = "",
                  test_rows: list[tuple[str, float]] | None = None) -> str:
    main = results[-1]
    full, daily = main.full, main.daily
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB, Python {platform.python_version()}"
    exponent = growth_exponent([(result.total_raw_rows, _build_seconds(result.full)) for result in results]) if len(results) > 1 else float("nan")
    dbt_exponent = growth_exponent([(result.total_raw_rows, result.full.stages.get("dbt build (both parts, with the fits)", 1.0))
                                    for result in results]) if len(results) > 1 else float("nan")
    event_ratio = daily.event_model_seconds() / full.event_model_seconds() if full.event_model_seconds() else float("nan")
    daily_ratio = _build_seconds(daily) / _build_seconds(full)
    command = f"make bench CUSTOMERS={main.customers}" + ("" if test_rows else " BENCH_TEST_TIMES=0")

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        "# Benchmark report",
        "",
        f"Generated by `{command}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ({machine}), "
        "DuckDB, default profile settings.",
        "",
        "Each scale is generated, its last day of web events, email events, orders (with their items) and consent "
        "events is held back with the erasure requests of the day before it (the generator dates none on its last "
        "day), the rest is built as of the day before (**full build**: `segwh build`, what `make build` "
        "runs: load, erasure, raw quality gate, `dbt build` with tests and the fits, marts quality gate, activation audit, "
        "publication), then the day's files are added to the raw folder and built as of the last day (**daily run**: "
        "the loader appends the new files, the erasure stage logs and deletes the people the day's requests name, "
        "the event models process the new rows).",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "| --- | ---: | --- |",
        f"| full build at {main.customers:,} customers, excluding generation, under 180 s | {_build_seconds(full):.0f} s | "
        f"{verdict(_build_seconds(full) < 180)} |",
        f"| event models in the daily run under 10% of their full-build time | {100 * event_ratio:.1f}% "
        f"({daily.event_model_seconds():.1f} s of {full.event_model_seconds():.1f} s) | {verdict(event_ratio < 0.10)} |",
        f"| whole daily run under 40% of the full build | {100 * daily_ratio:.1f}% ({_build_seconds(daily):.0f} s) | "
        f"{verdict(daily_ratio < 0.40)} |",
        f"| peak memory under 8 GiB | {max(full.peak_bytes, daily.peak_bytes) / 2**30:.2f} GiB | "
        f"{verdict(max(full.peak_bytes, daily.peak_bytes) < 8 * 2**30)} |",
        f"| build time growing at most linearly with raw rows (exponent ≤ 1.1) | {exponent:.2f} (dbt alone {dbt_exponent:.2f}) | "
        f"{verdict(exponent <= 1.1)} |",
        "",
        f"Warehouse on disk after the full build: {main.size_bytes / 2**20:,.0f} MiB.",
        "",
        "## Raw rows",
        "",
        "| table | " + " | ".join(f"{result.customers:,} customers" for result in results) + " |",
        "| --- | " + " | ".join("---:" for _ in results) + " |",
    ]
    for table in main.raw_rows:
        lines.append(f"| {table} | " + " | ".join(f"{result.raw_rows.get(table, 0):,}" for result in results) + " |")
    lines += [
        "| **all** | " + " | ".join(f"**{result.total_raw_rows:,}**" for result in results) + " |",
        "| of which the daily run's new rows | " + " | ".join(f"{result.day_rows:,}" for result in results) + " |",
        "| of those, erasure requests | " + " | ".join(f"{result.day_requests:,}" for result in results) + " |",
        "",
        "## Stages (seconds)",
        "",
        "| stage | " + " | ".join(f"full {result.customers:,}" for result in results) + f" | daily {main.customers:,} |",
        "| --- | " + " | ".join("---:" for _ in results) + " | ---: |",
        "| generate (not part of the build) | " + " | ".join(f"{result.generate_seconds:.1f}" for result in results) + " | |",
    ]
    for stage in full.stages:
        if stage in ("whole build", "raw rows loaded"):
            continue
        lines.append(f"| {stage} | " + " | ".join(f"{result.full.stages.get(stage, 0.0):.1f}" for result in results)
                     + f" | {daily.stages.get(stage, 0.0):.1f} |")
    lines += [
        "| **whole build** | " + " | ".join(f"**{_build_seconds(result.full):.1f}**" for result in results)
        + f" | **{_build_seconds(daily):.1f}** |",
        "| peak memory (GiB) | " + " | ".join(f"{result.full.peak_bytes / 2**30:.2f}" for result in results)
        + f" | {daily.peak_bytes / 2**30:.2f} |",
        "",
        f"Growth exponent of the full build's time against raw rows over the {len(results)} scales: {exponent:.2f} "
        f"(of `dbt build` alone: {dbt_exponent:.2f}).",
        "",
    ]
    if main.sql_model_seconds:
        # one run per model, as its SQL runs once: the erasure step and the main build both build
        # identity and some base models, and the sum of both would count their work twice
        dbt_models = sum(seconds for name, seconds in full.longest_run_seconds.items() if name in main.sql_model_seconds)
        sql_total = sum(main.sql_model_seconds.values())
        dbt_stage = full.stages.get("dbt build (both parts, with the fits)", 0.0)
        lines += [
            f"## Baselines ({main.customers:,} customers, same run)",
            "",
            "| computation | seconds |",
            "| --- | ---: |",
            f"| pandas script: RFM scores and lifecycle stages from the raw orders files (`segwh/bench_baselines.py`; "
            f"no identity resolution, quarantine or tests; peak {main.pandas_peak_bytes / 2**30:.2f} GiB) | {main.pandas_seconds:.1f} |",
            f"| the compiled SQL of the same {len(main.sql_model_seconds)} dbt models run directly in DuckDB, no dbt | {sql_total:.1f} |",
            f"| those models inside dbt (run_results execution time, each model's longest run in the build) | {dbt_models:.1f} |",
            f"| the whole `dbt build` stage (models, data and unit tests, the two fits, dbt start-up) | {dbt_stage:.1f} |",
            "",
            f"dbt's own overhead on the models: {dbt_models - sql_total:+.1f} s ({100 * (dbt_models - sql_total) / sql_total:+.0f}%).",
            "",
        ]
    lines += ["## Where the time goes (seconds per model, largest first)", "",
              f"| model | full {main.customers:,} | daily {main.customers:,} |" + (" compiled SQL without dbt |" if main.sql_model_seconds else ""),
              "| --- | ---: | ---: |" + (" ---: |" if main.sql_model_seconds else "")]
    for name, seconds in sorted(full.model_seconds.items(), key=lambda item: -item[1]):
        if seconds < 0.5 and daily.model_seconds.get(name, 0.0) < 0.5:
            continue
        marker = " (incremental event model)" if name in EVENT_MODELS else ""
        row = f"| {name}{marker} | {seconds:.2f} | {daily.model_seconds.get(name, 0.0):.2f} |"
        if main.sql_model_seconds:
            baseline = main.sql_model_seconds.get(name)
            row += f" {baseline:.2f} |" if baseline is not None else " copied, not run |"
        lines.append(row)
    lines += ["", "Models under half a second in both runs are left out. The SQL baseline copies the logs that keep "
              "rows across builds and identity's label propagation (a loop in its materialization) instead of running them.", ""]
    if demo_stages:
        lines += [
            "## Quality gate (Great Expectations) validation time",
            "",
            "| scale | raw stage (s) | marts stage (s) |",
            "| --- | ---: | ---: |",
            f"| demo ({DEMO_CUSTOMERS:,} customers) | {demo_stages.get('quality raw', 0):.1f} | {demo_stages.get('quality marts', 0):.1f} |",
            f"| {main.customers:,} customers | {full.stages.get('quality raw', 0):.1f} | {full.stages.get('quality marts', 0):.1f} |",
            "",
        ]
    if backtest:
        lines += [f"## CLV back-test (demo, {DEMO_CUSTOMERS:,} customers)", "", backtest, ""]
    if main.relation_rows:
        lines += [f"## Rows per relation ({main.customers:,} customers, full build)", "", "| relation | rows |", "| --- | ---: |"]
        lines += [f"| {name} | {count:,} |" for name, count in main.relation_rows.items()]
    if test_rows:
        lines += ["", "## `make test` wall time per target", "", "| target | seconds |", "| --- | ---: |"]
        lines += [f"| {target} | {seconds:.0f} |" for target, seconds in test_rows]
    return "\n".join(lines) + "\n"


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0

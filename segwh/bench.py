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


def run_bench(customers: int, out_dir: Path, test_times: bool = False) -> int:
    from segwh.generator import GeneratorConfig, generate

    out_dir = PROJECT_DIR / out_dir if not out_dir.is_absolute() else out_dir
    run_dir = out_dir / "runs" / str(customers)
    raw_dir = run_dir / "raw"
    warehouse = run_dir / "warehouse.duckdb"
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob("warehouse.duckdb*"):
        stale.unlink()

    started = time.monotonic()
    summary = generate(GeneratorConfig(customers=customers, seed=42), raw_dir)
    generate_seconds = time.monotonic() - started
    print(f"generated {sum(summary.rows.values()):,} raw rows in {generate_seconds:.1f}s")

    dbt_target_path = run_dir / "dbt_target"
    env = {
        **os.environ,
        "DUCKDB_PATH": str(warehouse),
        "SEGWH_DUCKDB_TEMP_DIR": str(run_dir / "duckdb_tmp"),
        "SEGWH_DBT_TARGET_PATH": str(dbt_target_path),
        "SEGWH_PUBLISHED_DIR": str(run_dir / "published"),
        "SEGWH_BI_DUCKDB_PATH": str(run_dir / "bi.duckdb"),
    }
    timings_file = run_dir / "build_timings.json"
    build_seconds, peak, output = run_measured(
        [sys.executable, "-m", "segwh", "build", "--raw-dir", str(raw_dir), "--timings-file", str(timings_file)], env
    )
    print(output.splitlines()[-1] if output else "")
    stages = json.loads(timings_file.read_text())
    # the build runs dbt in two parts (the CLV fit between them): both parts' results
    results = []
    for name in ("run_results.part1.json", "run_results.json"):
        if (dbt_target_path / name).exists():
            results += json.loads((dbt_target_path / name).read_text())["results"]
    model_seconds = sorted(
        (
            (result["unique_id"].split(".")[-1], float(result["execution_time"]))
            for result in results
            if result["unique_id"].startswith(("model.", "seed."))
        ),
        key=lambda item: -item[1],
    )
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_schema || '.' || table_name from information_schema.tables order by 1"
            ).fetchall()
        ]
        rows = {name: connection.execute(f"select count(*) from {name}").fetchone()[0] for name in names}
    size_bytes = sum(path.stat().st_size for path in run_dir.glob("warehouse.duckdb*"))

    demo_stages, backtest = _demo_quality_seconds(out_dir)

    test_rows: list[tuple[str, float]] = []
    if test_times:
        for target in ("duckdb", "postgres", "spark"):
            seconds, _, _ = run_measured(["make", "test", f"TARGET={target}"], dict(os.environ))
            test_rows.append((target, seconds))
            print(f"make test TARGET={target}: {seconds:.0f}s")

    report = render_report(customers, summary.rows, generate_seconds, build_seconds, stages, model_seconds, rows, peak,
                           size_bytes, test_rows, demo_stages, backtest)
    (out_dir / "report.md").write_text(report)
    print(f"wrote {out_dir / 'report.md'}")
    return 0


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
           "SEGWH_DUCKDB_TEMP_DIR": str(run_dir / "duckdb_tmp"), "SEGWH_DBT_TARGET_PATH": str(run_dir / "dbt_target"),
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


def render_report(
    customers: int,
    raw_rows: dict[str, int],
    generate_seconds: float,
    build_seconds: float,
    stages: dict[str, float],
    model_seconds: list[tuple[str, float]],
    rows: dict[str, int],
    peak_bytes: int,
    size_bytes: int,
    test_rows: list[tuple[str, float]],
    demo_stages: dict[str, float] | None = None,
    backtest: str = "",
) -> str:
    identity_seconds = sum(seconds for name, seconds in model_seconds if name.startswith("int_identity__"))
    components_seconds = sum(seconds for name, seconds in model_seconds if name == "int_identity__components")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB, Python {platform.python_version()}"
    lines = [
        "# Benchmark report",
        "",
        f"Generated by `make bench CUSTOMERS={customers}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ({machine}).",
        "",
        f"Raw rows: {sum(raw_rows.values()):,} ({', '.join(f'{name} {count:,}' for name, count in raw_rows.items())}).",
        "",
        "## Stages (DuckDB)",
        "",
        "| stage | seconds |",
        "| --- | ---: |",
        f"| generate demo data | {generate_seconds:.1f} |",
    ]
    for stage, seconds in stages.items():
        lines.append(f"| {stage} | {seconds:.1f} |")
    lines += [
        f"| **whole `segwh build` (excluding generation)** | **{build_seconds:.1f}** |",
        "",
        f"Peak memory of the build's process tree: {peak_bytes / 2**30:.2f} GiB. Warehouse on disk: {size_bytes / 2**20:.0f} MiB.",
        "",
        f"Identity resolution (the `int_identity__*` models): {identity_seconds:.1f} s, of which label propagation "
        f"(`int_identity__components`) {components_seconds:.1f} s.",
        "",
    ]
    if demo_stages:
        lines += [
            "## Quality gate (Great Expectations) validation time",
            "",
            "| scale | raw stage (s) | marts stage (s) |",
            "| --- | ---: | ---: |",
            f"| demo ({DEMO_CUSTOMERS:,} customers) | {demo_stages.get('quality raw', 0):.1f} | "
            f"{demo_stages.get('quality marts', 0):.1f} |",
            f"| {customers:,} customers | {stages.get('quality raw', 0):.1f} | {stages.get('quality marts', 0):.1f} |",
            "",
        ]
    if backtest:
        lines += [f"## CLV back-test (demo, {DEMO_CUSTOMERS:,} customers)", "", backtest, ""]
    lines += ["## Seconds per model (dbt run_results.json)", "", "| model | seconds |", "| --- | ---: |"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in model_seconds]
    lines += ["", "## Rows per relation", "", "| relation | rows |", "| --- | ---: |"]
    lines += [f"| {name} | {count:,} |" for name, count in rows.items()]
    if test_rows:
        lines += ["", "## `make test` wall time per target", "", "| target | seconds |", "| --- | ---: |"]
        lines += [f"| {target} | {seconds:.0f} |" for target, seconds in test_rows]
    return "\n".join(lines) + "\n"


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0

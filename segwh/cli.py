"""Command line: `segwh generate | load | build | publish | contract | segments | quality | postgres | bench`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from segwh import targets

DEMO_DIR = Path("data/demo")
DEMO_CUSTOMERS = 20_000


def _as_of_date(raw_dir: Path, explicit: str | None) -> str:
    """The explicit date, else the date recorded with generated data, else today (UTC)."""
    if explicit:
        return date.fromisoformat(explicit).isoformat()
    metadata = raw_dir / "dataset.json"
    if metadata.exists():
        return json.loads(metadata.read_text())["as_of_date"]
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).date().isoformat()


def cmd_generate(args: argparse.Namespace) -> int:
    from segwh.generator import GeneratorConfig, generate, parse_end_date

    config = GeneratorConfig(
        customers=args.customers, seed=args.seed, end_date=parse_end_date(args.end_date), file_format=args.format
    )
    summary = generate(config, Path(args.out))
    rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
    print(f"generated {args.out} in {summary.seconds:.1f}s (data ends {summary.end_date}): {rows}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from segwh.loader import load
    from segwh.warehouse import connect

    warehouse = connect(args.target)
    try:
        report = load(Path(args.raw_dir), warehouse, full=args.full)
    finally:
        warehouse.close()
    _print_load(report)
    return 0


def _print_load(report) -> None:  # type: ignore[no-untyped-def]
    print(f"loaded {report.new_rows:,} new raw rows from {report.raw_dir} into {report.target} in {report.seconds:.1f}s "
          f"({report.total_rows:,} raw rows in all)")
    for table in report.tables:
        notes = [table.mode + (f" (+{table.new_rows:,} rows)" if table.mode == "appended" else "")]
        if table.source_file is None:
            notes.append("no file: empty table")
        if table.missing_columns:
            notes.append("missing optional columns: " + ", ".join(table.missing_columns))
        if table.ignored_columns:
            notes.append("ignored columns: " + ", ".join(table.ignored_columns))
        print(f"  raw.{table.table:<18} {table.rows:>12,}  {'; '.join(notes)}")


def cmd_build(args: argparse.Namespace) -> int:
    from segwh.build import build

    return build(
        target=args.target,
        raw_dir=Path(args.raw_dir) if args.raw_dir else None,
        as_of_date=args.as_of_date,
        demo_customers=args.customers,
        timings_file=Path(args.timings_file) if args.timings_file else None,
        full_refresh=args.full_refresh,
    )


def cmd_publish(args: argparse.Namespace) -> int:
    from segwh.publish import publish

    as_of = date.fromisoformat(args.as_of_date).isoformat()
    return publish(args.target, as_of, dry_run=args.dry_run)


def cmd_contract(args: argparse.Namespace) -> int:
    from segwh.contract import load_contract, render_dbt_sources, render_markdown
    from segwh.docs import README_PATH, SOURCES_PATH, replace_section

    contract = load_contract()
    expected_sources = render_dbt_sources(contract)
    readme = README_PATH.read_text() if README_PATH.exists() else ""
    expected_readme = replace_section(readme, "raw-contract", render_markdown(contract))
    if args.write:
        SOURCES_PATH.write_text(expected_sources)
        README_PATH.write_text(expected_readme)
        print(f"wrote {SOURCES_PATH} and the raw contract section of {README_PATH}")
        return 0
    stale = []
    if not SOURCES_PATH.exists() or SOURCES_PATH.read_text() != expected_sources:
        stale.append(str(SOURCES_PATH))
    if readme != expected_readme:
        stale.append(str(README_PATH))
    if stale:
        print("out of date with segwh/raw_contract.yml: " + ", ".join(stale) + " (run `segwh contract --write`)")
        return 1
    print("README and dbt sources match the raw contract")
    return 0


def cmd_segments(args: argparse.Namespace) -> int:
    from datetime import date

    from segwh import segments

    try:
        columns = segments.profile_columns()
        definitions = segments.load(columns=columns)
        segments.check_compiles(definitions, columns, date.today())
    except segments.SegmentError as error:
        print(f"segments.yml: {error}")
        return 1
    if args.write:
        changed = segments.write(definitions)
        print(f"{len(definitions)} segments; wrote {len(changed)} generated file(s)")
        return 0
    stale = segments.stale_files(definitions)
    if stale:
        names = ", ".join(str(path.relative_to(segments.PROJECT_DIR)) for path in stale)
        print(f"generated segment files are out of date with segments.yml: {names} (run `segwh segments --write`)")
        return 1
    print(f"{len(definitions)} segments checked; generated files match segments.yml")
    return 0


def cmd_quality(args: argparse.Namespace) -> int:
    from datetime import date

    from segwh.quality.runner import run_stage

    as_of = date.fromisoformat(args.as_of_date) if args.as_of_date else date.today()
    code, _ = run_stage(args.stage, args.target, as_of, audience_table=args.table)
    return code


def cmd_postgres(args: argparse.Namespace) -> int:
    from segwh.local_postgres import LocalPostgres

    server = LocalPostgres(Path(args.data_dir).resolve(), int(targets.setting("SEGWH_PG_PORT")))
    if args.action == "start":
        server.start()
        print(f"PostgreSQL running on 127.0.0.1:{server.port} (data in {server.data_dir})")
    else:
        server.stop()
        print("PostgreSQL stopped")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from segwh.bench import run_bench

    return run_bench(customers=args.customers, out_dir=Path(args.out), test_times=args.test_times)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="segwh", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a realistic demo dataset with ground truth")
    generate.add_argument("--customers", type=int, default=DEMO_CUSTOMERS)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--end-date", help="last day of the data (default: today, UTC)")
    generate.add_argument("--format", choices=["csv", "parquet"], default="csv")
    generate.add_argument("--out", default=str(DEMO_DIR))
    generate.set_defaults(func=cmd_generate)

    load = commands.add_parser("load", help="load a folder of raw files into the raw schema")
    load.add_argument("--raw-dir", required=True)
    load.add_argument("--target", default="duckdb", choices=targets.TARGETS)
    load.add_argument("--full", action="store_true", help="replace every raw table from all its files")
    load.set_defaults(func=cmd_load)

    build = commands.add_parser("build", help="load raw files, run dbt build and print a summary")
    build.add_argument("--raw-dir", help="folder of raw files (default: the demo data, generated when missing)")
    build.add_argument("--target", default="duckdb", choices=targets.TARGETS)
    build.add_argument("--as-of-date", help="YYYY-MM-DD (default: the demo data's date, else today)")
    build.add_argument("--customers", type=int, default=DEMO_CUSTOMERS, help="size of the demo data when generated")
    build.add_argument("--timings-file", help="write the seconds of each stage to this JSON file")
    build.add_argument("--full-refresh", action="store_true",
                       help="reload every raw file and rebuild the incremental models from scratch")
    build.set_defaults(func=cmd_build)

    publish = commands.add_parser("publish", help="audit the built ESP audience and publish it (or --dry-run: print the changes)")
    publish.add_argument("--target", choices=targets.TARGETS, default="duckdb")
    publish.add_argument("--as-of-date", required=True, help="the as_of_date the audience was built for")
    publish.add_argument("--dry-run", action="store_true", help="audit and print the change summary only")
    publish.set_defaults(func=cmd_publish)

    contract = commands.add_parser("contract", help="check (or --write) the README and dbt sources against the raw contract")
    contract.add_argument("--write", action="store_true")
    contract.set_defaults(func=cmd_contract)

    segments_command = commands.add_parser("segments", help="check segments.yml (or --write its generated dbt files)")
    segments_command.add_argument("--write", action="store_true")
    segments_command.set_defaults(func=cmd_segments)

    quality = commands.add_parser("quality", help="run a stage of the Great Expectations quality gate")
    quality.add_argument("stage", choices=["raw", "marts", "activation"])
    quality.add_argument("--target", default="duckdb")
    quality.add_argument("--as-of-date", help="the build's as_of_date (default: today)")
    quality.add_argument("--table", help="activation: the audience table to audit (default from quality.yml)")
    quality.set_defaults(func=cmd_quality)

    postgres = commands.add_parser("postgres", help="start or stop the local PostgreSQL server")
    postgres.add_argument("action", choices=["start", "stop"])
    postgres.add_argument("--data-dir", default="data/postgres")
    postgres.set_defaults(func=cmd_postgres)

    bench = commands.add_parser("bench", help="generate, load and build at a scale and write a report")
    bench.add_argument("--customers", type=int, default=100_000)
    bench.add_argument("--out", default="bench")
    bench.add_argument("--test-times", action="store_true", help="also time `make test` on each target")
    bench.set_defaults(func=cmd_bench)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Exception as error:  # the message is meant for the user; dbt printed its own detail
        from segwh.dbt_runner import DbtFailed
        from segwh.loader import RawInputError

        if isinstance(error, (RawInputError, DbtFailed, ValueError)):
            print(f"error: {error}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())

"""Run one stage of the quality gate: regenerate the stage's suites, validate every table through
a checkpoint, build Data Docs, append one row per expectation result to
quality.quality_results in the warehouse, print the failures, and return 1 when a suite of
severity `error` failed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from segwh.quality import connection, suites

STAGES = ("raw", "marts", "activation")
RESULTS_TABLE = "quality.quality_results"


@dataclass
class Outcome:
    suite: str
    severity: str
    expectation: str
    description: str
    success: bool
    observed_value: str
    unexpected_count: int | None
    examples: list[str]


class SqlWarehouse:
    """Queries through the Great Expectations datasource's own SQLAlchemy engine, so DuckDB sees
    one connection configuration in this process."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        with self.engine.connect() as connection_:
            return [tuple(row) for row in connection_.execute(text(sql))]

    def execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.engine.begin() as connection_:
            connection_.execute(text(sql))

    def relations(self, schema: str) -> list[str]:
        from sqlalchemy import inspect

        inspector = inspect(self.engine)
        return sorted(set(inspector.get_table_names(schema=schema)) | set(inspector.get_view_names(schema=schema)))


def ensure_results_table(warehouse: SqlWarehouse) -> None:
    warehouse.execute("create schema if not exists quality")
    warehouse.execute(
        f"create table if not exists {RESULTS_TABLE} ("
        "run_id varchar(64), stage varchar(20), suite varchar(200), severity varchar(10), expectation varchar(100), "
        "description varchar(1000), success boolean, observed_value varchar(2000), unexpected_count bigint, "
        "as_of_date date, validated_at timestamp)"
    )


def load_history(warehouse: SqlWarehouse) -> suites.History:
    history = suites.History()
    rows = warehouse.query(
        f"select suite, as_of_date, observed_value from {RESULTS_TABLE} "
        "where expectation = 'expect_table_row_count_to_be_between' and stage = 'raw'"
    )
    history.row_counts = [(suite, as_of, float(observed)) for suite, as_of, observed in rows if observed not in (None, "")]
    latest = warehouse.query(
        f"select observed_value from {RESULTS_TABLE} where expectation = 'lifecycle_stage_shares' "
        f"order by validated_at desc limit 1"
    )
    if latest:
        history.lifecycle_shares = json.loads(latest[0][0])
    return history


def existing_tables(warehouse: SqlWarehouse, schema: str) -> list[str]:
    return warehouse.relations(schema)


def run_stage(stage: str, target: str, as_of: date, audience_table: str | None = None,
              show: bool = True) -> tuple[int, list[Outcome]]:
    """Validate one stage on the target; returns (exit code, every expectation's outcome)."""
    connection.check_target(target)
    context = connection.context()
    datasource = connection.datasource(context, target)
    try:
        return _run(stage, target, as_of, audience_table, show, context, datasource)
    finally:
        connection.release(datasource)


def _run(stage: str, target: str, as_of: date, audience_table: str | None, show: bool, context: Any,
         datasource: Any) -> tuple[int, list[Outcome]]:
    import great_expectations as gx

    config = suites.load_config()
    warehouse = SqlWarehouse(datasource.get_engine())
    ensure_results_table(warehouse)
    history = load_history(warehouse)
    if stage == "raw":
        stage_suites = suites.raw_suites(target, existing_tables(warehouse, "raw"), as_of, history, config,
                                         warehouse.query)
    elif stage == "marts":
        stage_suites = suites.marts_suites(target, history, config)
    elif stage == "activation":
        table = audience_table or config["activation"]["audience_table"]
        stage_suites = suites.activation_suites(target, table, as_of, config)
        schema, name = table.split(".", 1)
        if name not in existing_tables(warehouse, schema):
            raise SystemExit(f"quality activation: {table} does not exist yet; build the audience first")
    else:
        raise SystemExit(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")

    validations = []
    for suite in stage_suites:
        asset_name = f"{suite.schema}.{suite.table}"
        try:
            asset = datasource.get_asset(asset_name)
        except LookupError:
            asset = datasource.add_table_asset(name=asset_name, table_name=suite.table, schema_name=suite.schema)
        try:
            batch = asset.get_batch_definition("whole_table")
        except KeyError:
            batch = asset.add_batch_definition_whole_table("whole_table")
        _delete_quietly(context.validation_definitions, suite.name)
        _delete_quietly(context.suites, suite.name)
        expectation_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, meta={"severity": suite.severity}))
        for expectation in suite.expectations:
            expectation_suite.add_expectation(expectation)
        validations.append(context.validation_definitions.add(gx.ValidationDefinition(
            name=suite.name, data=batch, suite=expectation_suite)))
    _delete_quietly(context.checkpoints, stage)
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=stage, validation_definitions=validations,
        # COMPLETE: SQL checks return their offending rows (printed as examples)
        result_format={"result_format": "COMPLETE", "partial_unexpected_count": 5},
    ))
    result = checkpoint.run()
    build_data_docs(context, result)

    severities = {suite.name: suite.severity for suite in stage_suites}
    outcomes: list[Outcome] = []
    for validation in result.run_results.values():
        suite_name = validation.suite_name
        for item in validation.results:
            details = item.result or {}
            observed = details.get("observed_value")
            examples = list(details.get("partial_unexpected_list") or [])
            unexpected_count = details.get("unexpected_count")
            error = _exception_message(item)
            if error:
                examples = [f"could not run: {error}"]
            elif item.expectation_config.type == "unexpected_rows_expectation":
                rows = (details.get("details") or {}).get("unexpected_rows") or []
                examples = [list(row.values())[0] if isinstance(row, dict) else row for row in rows[:5]]
                unexpected_count = observed
            outcomes.append(Outcome(
                suite=suite_name, severity=severities.get(suite_name, "error"),
                expectation=item.expectation_config.type,
                description=item.expectation_config.description or _describe(item.expectation_config),
                success=bool(item.success), observed_value="" if observed is None else str(observed),
                unexpected_count=unexpected_count, examples=[str(value) for value in examples[:5]],
            ))
    if stage == "marts":
        shares = warehouse.query(
            "select lifecycle_stage, count(*) * 1.0 / sum(count(*)) over () from marts.customer_profile group by lifecycle_stage"
        )
        outcomes.append(Outcome("marts.customer_profile", "info", "lifecycle_stage_shares",
                                "share of customers per lifecycle stage (history for the jump check)", True,
                                json.dumps({stage_name: round(float(share), 6) for stage_name, share in shares}), None, []))
    _record(warehouse, stage, outcomes, as_of)
    failed_errors = [outcome for outcome in outcomes if not outcome.success and outcome.severity == "error"]
    if show:
        _print(stage, outcomes, str(context.root_directory))
    return (1 if failed_errors else 0), outcomes


def build_data_docs(context: Any, result: Any) -> None:
    """Render this run's validation results and suites into Data Docs in one build.
    UpdateDataDocsAction builds the site once per validation, and each build re-reads stored
    results for the index; the index is capped by `validation_results_limit` in
    gx/great_expectations.yml, so the cost stays flat as daily runs pile up."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    identifiers: list[Any] = list(result.run_results)
    identifiers += [ExpectationSuiteIdentifier(name=validation.suite_name) for validation in result.run_results.values()]
    context.build_data_docs(resource_identifiers=identifiers)


def _exception_message(item: Any) -> str:
    info = getattr(item, "exception_info", None) or {}
    if isinstance(info, dict):
        if info.get("raised_exception"):
            return str(info.get("exception_message", ""))[:300]
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                return str(value.get("exception_message", ""))[:300]
    return ""


def _describe(config: Any) -> str:
    kwargs = {key: value for key, value in config.kwargs.items() if key not in ("batch_id",)}
    return ", ".join(f"{key}={value}" for key, value in kwargs.items())


def _delete_quietly(store: Any, name: str) -> None:
    try:
        store.delete(name)
    except Exception:  # noqa: BLE001 - absent is fine
        pass


def _record(warehouse: SqlWarehouse, stage: str, outcomes: list[Outcome], as_of: date) -> None:
    run_id = uuid.uuid4().hex
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")

    def text(value: str) -> str:
        return "'" + value.replace("'", "''")[:1990] + "'"

    for start in range(0, len(outcomes), 200):
        rows = ", ".join(
            f"({text(run_id)}, {text(stage)}, {text(outcome.suite)}, {text(outcome.severity)}, {text(outcome.expectation)}, "
            f"{text(outcome.description[:990])}, {'true' if outcome.success else 'false'}, {text(outcome.observed_value)}, "
            f"{'null' if outcome.unexpected_count is None else int(outcome.unexpected_count)}, "
            f"cast('{as_of.isoformat()}' as date), cast('{now}' as timestamp))"
            for outcome in outcomes[start:start + 200]
        )
        warehouse.execute(f"insert into {RESULTS_TABLE} values {rows}")


def _print(stage: str, outcomes: list[Outcome], root: str) -> None:
    failed = [outcome for outcome in outcomes if not outcome.success]
    print(f"quality {stage}: {len(outcomes) - len(failed)} of {len(outcomes)} expectations met")
    if failed:
        print(f"{'severity':8}  {'suite':32}  {'expectation':44}  {'unexpected':>10}  examples")
        for outcome in failed:
            label = outcome.description.split(":")[0] if outcome.expectation == "unexpected_rows_expectation" else outcome.expectation
            count = outcome.unexpected_count if outcome.unexpected_count is not None else outcome.observed_value
            print(f"{outcome.severity:8}  {outcome.suite:32}  {label[:44]:44}  {str(count):>10}  {', '.join(outcome.examples)[:80]}")
    print(f"Data Docs: {root}/uncommitted/data_docs/local_site/index.html")

"""Expectation suites as code. Each suite validates one table; the JSON under gx/ is regenerated
from here on every run. Thresholds come from quality.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import yaml

from segwh import targets
from segwh.quality.connection import batch, regex_match, rows_where, timestamp_text_prefix

CONFIG_FILE = targets.PROJECT_DIR / "quality.yml"
EMAIL_PATTERN = "[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z][a-z]+"  # no braces: {batch} is substituted
AMOUNT_PATTERN = "[0-9]+([.][0-9]+)?"
# the date part of an ISO-8601 timestamp (the contract's format; offsets and times may follow)
ISO_DATE_PATTERN = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]"
LIFECYCLE_STAGES = ["new", "prospect", "churned", "dormant", "loyal", "active"]
RFM_SEGMENTS = ["hibernating", "at_risk", "cannot_lose_them", "about_to_sleep", "need_attention",
                "loyal_customers", "promising", "potential_loyalists", "new_customers", "champions"]

RAW_REQUIRED_COLUMNS = {
    "orders": ["order_id", "ordered_at", "amount"],
    "customers": ["customer_id"],
    "web_events": ["event_id", "event_type", "occurred_at"],
    "email_events": ["message_id", "email", "event_type", "occurred_at"],
    "consent_events": ["channel", "purpose", "status", "occurred_at"],
}
RAW_TIME_COLUMNS = {"orders": "ordered_at", "web_events": "occurred_at", "email_events": "occurred_at",
                    "consent_events": "occurred_at"}
RAW_EMAIL_COLUMNS = {"customers": "email", "orders": "email"}


@dataclass
class Suite:
    name: str  # stage.table
    schema: str
    table: str
    severity: str
    expectations: list[Any] = field(default_factory=list)


@dataclass
class History:
    """What earlier runs recorded: row counts per (suite, as_of weekday) and lifecycle shares."""

    row_counts: list[tuple[str, date, float]] = field(default_factory=list)  # suite, as_of_date, rows
    lifecycle_shares: dict[str, float] = field(default_factory=dict)


def load_config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _gx() -> Any:
    import great_expectations as gx

    return gx


def volume_band(history: History, suite_name: str, as_of: date, volume: dict[str, Any]) -> tuple[int, int] | None:
    """The row-count band learned from earlier runs, or None while there are too few of them."""
    earlier = [(day, rows) for name, day, rows in history.row_counts if name == suite_name and day < as_of]
    same_weekday = [rows for day, rows in earlier if day.weekday() == as_of.weekday()]
    counts = same_weekday if len(same_weekday) >= volume["weekday_history_runs"] else [rows for _, rows in earlier]
    if len(counts) < volume["min_history_runs"]:
        return None
    tolerance = float(volume["tolerance"])
    return int(min(counts) * (1 - tolerance)), int(max(counts) * (1 + tolerance)) + 1


def is_live_run(as_of: date) -> bool:
    """A build for today or yesterday (UTC), not a replay of an earlier date."""
    return as_of >= datetime.now(timezone.utc).date() - timedelta(days=1)


Query = Callable[[str], list[tuple[Any, ...]]]


@dataclass
class NewestLoads:
    """The rows of a raw table the share checks read: its newest load (latest raw_loaded_at)
    and, while they hold fewer than `min_rows` rows, the loads before it that are themselves
    smaller than `min_rows` (a load that size was judged on its own when it arrived, and the
    initial history of a table fed by daily files is one such load: reading it again for a
    small day would cost a scan of the whole table). The whole table when that takes every
    load. Whole loads, so the share is of complete deliveries (the tail of an earlier,
    time-sorted file would over-represent its latest and future-dated rows). When the loads
    read hold fewer than `min_rows` rows and earlier loads are left unread, `population_floor`
    is `min_rows`: the share is taken of at least that many rows, so a small day fails when
    its bad rows would be too many among `min_rows` rows (a share of a handful of rows says
    little). Found once per run, so the checks filter on a literal load time, which the
    engines prune by, instead of a subquery per row."""

    condition: str | None  # SQL selecting their rows; None for the whole table
    population_floor: int = 0

    @classmethod
    def of(cls, query: Query, table: str, min_rows: int) -> "NewestLoads":
        loads = query(f"select raw_loaded_at, count(*) from raw.{table} group by raw_loaded_at order by raw_loaded_at desc")
        rows = 0
        for position, (loaded_at, count) in enumerate(loads):
            if position > 0 and int(count) >= min_rows:
                return cls(f"raw_loaded_at >= cast('{loads[position - 1][0]}' as timestamp)", min_rows)
            rows += int(count)
            if rows >= min_rows and position < len(loads) - 1:
                return cls(f"raw_loaded_at >= cast('{loaded_at}' as timestamp)")
        return cls(None)


def raw_suites(target: str, tables: list[str], as_of: date, history: History, config: dict[str, Any],
               query: Query) -> list[Suite]:
    """The raw suites; `query` runs SQL on the target (to find each table's newest loads)."""
    gx = _gx()
    settings = config["raw"]
    end = as_of + timedelta(days=1)
    future_limit = f"{end.isoformat()} 00:00:00"
    suites = []
    for table in tables:
        suite = Suite(f"raw.{table}", "raw", table, settings["severity"])
        checks_shares = table in RAW_EMAIL_COLUMNS or table in RAW_TIME_COLUMNS  # orders has both
        # the shares are measured on the newest load, with the small loads before it while they hold
        # fewer than share_min_load_rows rows (a share of a handful of rows says little)
        newest = NewestLoads.of(query, table, int(settings["share_min_load_rows"])) if checks_shares else NewestLoads(None)
        rows = rows_where(target, "batch_rows", newest.condition)
        for column in RAW_REQUIRED_COLUMNS.get(table, []):
            suite.expectations.append(gx.expectations.ExpectColumnToExist(column=column))
        band = volume_band(history, suite.name, as_of, settings["volume"])
        if band is None:
            # no history yet: the required table must not be empty; the counts become history
            minimum = 1 if table == "orders" else 0
            suite.expectations.append(gx.expectations.ExpectTableRowCountToBeBetween(min_value=minimum))
        else:
            suite.expectations.append(gx.expectations.ExpectTableRowCountToBeBetween(min_value=band[0], max_value=band[1]))
        if table in RAW_EMAIL_COLUMNS:
            column = RAW_EMAIL_COLUMNS[table]
            invalid = f"{column} is not null and not {regex_match(target, f'lower(trim({column}))', EMAIL_PATTERN)}"
            suite.expectations.append(_share_at_most(
                rows, f"invalid_{column}", column, invalid, f"{column} is not null", 1 - float(settings["email_valid_mostly"]),
                f"at least {settings['email_valid_mostly']:.0%} of non-empty {column} values are valid addresses", newest.population_floor))
        if table == "orders":
            invalid = f"amount is null or not {regex_match(target, 'trim(amount)', AMOUNT_PATTERN)}"
            suite.expectations.append(_share_at_most(
                rows, "invalid_amount", "amount", invalid, "1 = 1", 1 - float(settings["amount_valid_mostly"]),
                f"at least {settings['amount_valid_mostly']:.0%} of order amounts are non-negative numbers", newest.population_floor))
        if table in RAW_TIME_COLUMNS:
            column = RAW_TIME_COLUMNS[table]
            unparseable = f"{column} is not null and not {regex_match(target, f'substr({column}, 1, 10)', ISO_DATE_PATTERN)}"
            suite.expectations.append(_share_at_most(
                rows, f"unparseable_{column}", column, unparseable, f"{column} is not null",
                1 - float(settings["timestamp_valid_mostly"]),
                f"at least {settings['timestamp_valid_mostly']:.0%} of {column} values are ISO-8601 timestamps", newest.population_floor))
            # a replay of a past date rightly finds later rows in the files (the models ignore them)
            if is_live_run(as_of):
                hours = int(settings["future_tolerance_hours"])
                limit = (datetime.combine(end, time.min) + timedelta(hours=hours)).isoformat(sep=" ")
                future = f"{timestamp_text_prefix(column)} >= '{limit}'"
                suite.expectations.append(_share_at_most(
                    rows, f"future_{column}", column, future, f"{column} is not null",
                    1 - float(settings["not_future_mostly"]),
                    f"at least {settings['not_future_mostly']:.1%} of {column} values are not after as_of_date "
                    f"plus {hours} hours", newest.population_floor))
        max_days = settings["freshness_max_days"].get(table)
        if max_days is not None:
            column = RAW_TIME_COLUMNS[table]
            oldest_fresh = (as_of - timedelta(days=int(max_days))).isoformat()
            newest_time = timestamp_text_prefix(column)
            in_time = f"{newest_time} < '{future_limit}'"
            # the whole table's newest time is at least that of its newest loads: when they hold a
            # fresh row the table passes, and reading them alone gives the same outcome
            fresh_load = newest.condition is not None and query(
                f"select count(*) from raw.{table} where {newest.condition} and {in_time} and {newest_time} >= '{oldest_fresh}'"
            )[0][0] > 0
            suite.expectations.append(gx.expectations.UnexpectedRowsExpectation(
                description=f"stale: the newest {column} is at least {oldest_fresh} ({max_days} days before as_of_date)",
                unexpected_rows_query=(
                    f"select newest from (select max({newest_time}) as newest from "
                    f"{rows_where(target, 'batch_rows', newest.condition if fresh_load else None)} "
                    f"where {in_time}) as freshness where newest < '{oldest_fresh}'"
                ),
            ))
        suites.append(suite)
    return suites


def _share_at_most(rows: str, label: str, column: str, condition: str, population: str, max_share: float,
                   description: str, population_floor: int = 0) -> Any:
    """Rows of `rows` (the newest loads, see NewestLoads) meeting `condition`,
    reported only when they are more than `max_share` of its rows in `population` (the `mostly` of
    a regex or range expectation, written as SQL), taken of at least `population_floor` rows. A
    replaced table is one load; of a table the loader appends to (daily files), the rows of
    earlier loads were checked when they arrived, so a daily run checks the day's rows only (with
    the small days before it when the day is small)."""
    gx = _gx()
    query = (
        f"select {column} from {rows} where {condition} and ("
        f"select sum(case when {condition} then 1 else 0 end) from {rows}) > {max_share} * ("
        f"select {f'greatest(count(*), {population_floor})' if population_floor else 'count(*)'} from {rows} where {population})"
    )
    return gx.expectations.UnexpectedRowsExpectation(description=f"{label}: {description}", unexpected_rows_query=query)


def marts_suites(target: str, history: History, config: dict[str, Any]) -> list[Suite]:
    gx = _gx()
    severity = config["marts"]["severity"]
    profile = Suite("marts.customer_profile", "marts", "customer_profile", severity, [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="customer_key"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="customer_key"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="lifecycle_stage", value_set=LIFECYCLE_STAGES),
        gx.expectations.ExpectColumnValuesToBeInSet(column="engagement_level", value_set=["high", "medium", "low", "none"]),
        gx.expectations.ExpectColumnValuesToBeBetween(column="net_revenue", min_value=0),
    ])
    if history.lifecycle_shares:
        max_jump = float(config["marts"]["lifecycle_share_max_jump"])
        previous = " union all ".join(
            f"select '{stage}' as lifecycle_stage, {share} as previous_share" for stage, share in history.lifecycle_shares.items()
        )
        profile.expectations.append(gx.expectations.UnexpectedRowsExpectation(
            description=f"lifecycle_share_jump: no stage's share of customers moves more than {max_jump:.0%} since the previous run",
            unexpected_rows_query=(
                "select coalesce(now_shares.lifecycle_stage, previous_shares.lifecycle_stage) as lifecycle_stage "
                "from (select lifecycle_stage, count(*) * 1.0 / sum(count(*)) over () as share from "
                + batch(target, "batch_rows", joined=True) + " "
                "group by lifecycle_stage) as now_shares "
                f"full outer join ({previous}) as previous_shares "
                "on now_shares.lifecycle_stage = previous_shares.lifecycle_stage "
                f"where abs(coalesce(now_shares.share, 0) - coalesce(previous_shares.previous_share, 0)) > {max_jump}"
            ),
        ))
    rfm = Suite("marts.customer_rfm", "marts", "customer_rfm", severity, [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="customer_key"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="customer_key"),
        *[gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=1, max_value=5)
          for column in ("r_score", "f_score", "m_score")],
        *[gx.expectations.ExpectColumnValuesToNotBeNull(column=column) for column in ("r_score", "f_score", "m_score")],
        gx.expectations.ExpectColumnValuesToBeInSet(column="rfm_segment", value_set=RFM_SEGMENTS),
        gx.expectations.ExpectColumnValuesToBeBetween(column="monetary", min_value=0),
    ])
    membership = Suite("marts.segment_membership", "marts", "segment_membership", severity, [
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["customer_key", "segment_name"]),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="customer_key"),
    ])
    return [profile, rfm, membership]


def activation_suites(target: str, audience_table: str, as_of: date, config: dict[str, Any]) -> list[Suite]:
    """The consent rules on the audience (segwh/quality/activation_checks.py), one
    UnexpectedRowsExpectation each, checked independently of the models that built it."""
    from segwh.quality import activation_checks

    gx = _gx()
    settings = config["activation"]
    schema, table = audience_table.split(".", 1)
    expectations = [
        gx.expectations.UnexpectedRowsExpectation(
            description=f"{check.name}: {check.description}", unexpected_rows_query=check.sql)
        for check in activation_checks.checks(target, batch(target, "audience", joined=True), batch(target, "audience"))
    ]
    return [Suite(f"activation.{table}", schema, table, settings["severity"], expectations)]

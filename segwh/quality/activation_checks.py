"""The consent rules the ESP audience must satisfy before it is published, as plain SQL.

Each check is a query returning the offending audience rows (none = pass). They are computed from
the staged consent, ESP and erasure facts and the identity links, independently of the consent
marts that built the audience: an address is judged by its own consent events and those of its
person's customer ids. Great Expectations runs them as UnexpectedRowsExpectations on DuckDB and
PostgreSQL; on Spark, where Great Expectations has no SQL datasource here, the publisher runs
the same SQL through the Spark session. `{batch}` stands for the audience table.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from typing import Any

import yaml

from segwh import targets
from segwh.quality.connection import regex_match

PERSONALISATION_FIELDS = ("lifecycle_stage", "rfm_segment", "engagement_level", "preferred_send_hour", "segment_names")


@dataclass(frozen=True)
class SqlCheck:
    name: str
    description: str
    sql: str  # with {batch} for the audience relation (aliased as `audience`)


def sha256_hex(target: str, expression: str) -> str:
    """SHA-256 (hex) of a text expression, as macros/hashing/sha256_hex.sql computes it."""
    if target == "duckdb":
        return f"sha256({expression})"
    if target == "spark":
        return f"sha2({expression}, 256)"
    return f"encode(sha256(convert_to({expression}, 'UTF8')), 'hex')"


def _literal(target: str, text: str) -> str:
    if target == "spark":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "''") + "'"


def address_rules() -> dict[str, list[str]]:
    """seeds/email_address_rules.csv by rule type."""
    rules: dict[str, list[str]] = {}
    with (targets.PROJECT_DIR / "seeds" / "email_address_rules.csv").open() as handle:
        for row in csv.DictReader(handle):
            rules.setdefault(row["rule_type"], []).append(row["rule_value"])
    return rules


def double_opt_in_settings() -> tuple[bool, dict[str, bool]]:
    """The dbt vars double_opt_in_required and double_opt_in_required_by_country (dbt_project.yml)."""
    variables = yaml.safe_load((targets.PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return bool(variables.get("double_opt_in_required", True)), dict(variables.get("double_opt_in_required_by_country") or {})


def _double_opt_in_required(country_sql: str) -> str:
    default, by_country = double_opt_in_settings()
    if not by_country:
        return "true" if default else "false"
    cases = " ".join(f"when '{code.upper()}' then {'true' if required else 'false'}" for code, required in by_country.items())
    return f"(case upper({country_sql}) {cases} else {'true' if default else 'false'} end)"


def checks(target: str, batch_sql: str, alone_sql: str) -> list[SqlCheck]:
    """Every activation check. The audience relation, aliased `audience`, is `batch_sql` in a
    query with a join and `alone_sql` in one without (Great Expectations substitutes differently)."""
    from segwh.quality.suites import EMAIL_PATTERN as email_pattern

    rules = address_rules()
    roles = ", ".join(f"'{value}'" for value in rules.get("role_local_part", []))
    domains = ", ".join(f"'{value}'" for value in rules.get("test_domain", []))
    prefixes = " or ".join(f"local_part like '{value}%'" for value in rules.get("test_local_prefix", [])) or "false"
    salt = os.environ.get("SEGWH_ERASURE_SALT", "")

    def erasure_hash(node_key_sql: str) -> str:
        return sha256_hex(target, f"{_literal(target, salt + ':')} || {node_key_sql}")

    # consent events of each audience row: by its address, or by a customer id of its person
    events = (
        "select audience.email as audience_email, audience.country_code, consent.consent_status, "
        "consent.consent_method, consent.occurred_at, consent.raw_row_number "
        f"from {batch_sql} inner join staging.stg_consent__events as consent "
        "on consent.channel = 'email' and consent.purpose = '{purpose}' and consent.email = audience.email "
        "union "
        "select audience.email as audience_email, audience.country_code, consent.consent_status, "
        "consent.consent_method, consent.occurred_at, consent.raw_row_number "
        f"from {batch_sql} inner join marts.customer_identifiers as identifiers "
        "on identifiers.customer_key = audience.customer_key and identifiers.identifier_type = 'customer_id' "
        "inner join staging.stg_consent__events as consent "
        "on consent.channel = 'email' and consent.purpose = '{purpose}' and consent.customer_id = identifiers.identifier_value"
    )
    marketing_events = events.replace("{purpose}", "marketing")
    personalisation_events = events.replace("{purpose}", "personalisation")
    latest = (
        "select audience_email, consent_status from (select audience_email, consent_status, row_number() over ("
        "partition by audience_email order by occurred_at desc, raw_row_number desc) as recency from events) as ranked "
        "where recency = 1"
    )
    no_consent = (
        f"with events as ({marketing_events}), "
        "withdrawals as (select audience_email, max(occurred_at) as withdrawn_at from events "
        "where consent_status = 'withdrawn' group by audience_email), "
        "qualifying as (select distinct events.audience_email from events left join withdrawals "
        "on events.audience_email = withdrawals.audience_email where events.consent_status = 'granted' "
        "and (withdrawals.withdrawn_at is null or events.occurred_at > withdrawals.withdrawn_at) "
        "and (events.consent_method = 'double_opt_in_confirmed' or (not "
        f"{_double_opt_in_required('events.country_code')} and events.consent_method in ('single_opt_in', 'imported')))), "
        f"latest as ({latest}) "
        f"select audience.email from {batch_sql} "
        "left join latest on audience.email = latest.audience_email "
        "left join qualifying on audience.email = qualifying.audience_email "
        "where latest.audience_email is null or latest.consent_status <> 'granted' or qualifying.audience_email is null"
    )
    personalisation_filled = " or ".join(f"audience.{field} is not null" for field in PERSONALISATION_FIELDS)
    personalisation = (
        f"with events as ({personalisation_events}), latest as ({latest}) "
        f"select audience.email from {batch_sql} left join latest on audience.email = latest.audience_email "
        f"where ({personalisation_filled}) and (latest.audience_email is null or latest.consent_status <> 'granted')"
    )
    confirmations = (
        "select email, max(occurred_at) as confirmed_at from staging.stg_consent__events "
        "where channel = 'email' and purpose = 'marketing' and consent_status = 'granted' "
        "and consent_method = 'double_opt_in_confirmed' group by email"
    )
    suppressed = (
        f"select audience.email from {batch_sql} "
        "inner join staging.stg_esp__email_events as esp on audience.email = esp.email "
        f"left join ({confirmations}) as confirmations on audience.email = confirmations.email "
        "where esp.event_type = 'complaint' or (esp.event_type = 'bounce' and esp.bounce_type = 'hard') "
        "or (esp.event_type = 'unsubscribe' and (confirmations.confirmed_at is null "
        "or esp.occurred_at > confirmations.confirmed_at))"
    )
    # equality joins only (an OR in a join condition would compare every row with every hash)
    erased = (
        f"select audience.email from {batch_sql} "
        "inner join privacy.erasure_log as erasure_log "
        f"on erasure_log.identifier_hash = {erasure_hash(chr(39) + 'email:' + chr(39) + ' || audience.email')} "
        "union all "
        f"select audience.email from {batch_sql} "
        "inner join privacy.erasure_log as erasure_log "
        f"on erasure_log.identifier_hash = {erasure_hash(chr(39) + 'customer_key:' + chr(39) + ' || audience.customer_key')} "
        "union all "
        f"select audience.email from {batch_sql} "
        "inner join staging.stg_privacy__erasure_requests as erasure "
        "on erasure.identifier_type = 'email' and erasure.identifier_value = audience.email"
    )
    local_part = "substr(audience.email, 1, instr(audience.email, '@') - 1)" if target == "spark" else "split_part(audience.email, '@', 1)"
    domain = "substr(audience.email, instr(audience.email, '@') + 1)" if target == "spark" else "split_part(audience.email, '@', 2)"
    return [
        SqlCheck("missing_email", "every row has an address",
                 f"select audience.customer_key from {alone_sql} where audience.email is null"),
        SqlCheck("duplicate_email", "no address appears twice",
                 f"select audience.email from {alone_sql} group by audience.email having count(*) > 1"),
        SqlCheck("missing_customer_key", "every row has a customer_key (the external id)",
                 f"select audience.email from {alone_sql} where audience.customer_key is null"),
        SqlCheck("duplicate_customer_key", "no customer_key appears twice",
                 f"select audience.customer_key from {alone_sql} group by audience.customer_key having count(*) > 1"),
        SqlCheck("invalid_email", "every address is syntactically valid",
                 f"select audience.email from {alone_sql} where not {regex_match(target, 'audience.email', email_pattern)}"),
        SqlCheck("role_or_test_address", "no role (info@, noreply@, ...) or test address (seeds/email_address_rules.csv)",
                 f"select email from (select audience.email, {local_part} as local_part, {domain} as domain from {alone_sql}) as parts "
                 f"where local_part in ({roles}) or domain in ({domains}) or {prefixes}"),
        SqlCheck("no_consent", "the address's latest email marketing consent is granted, with a double opt-in "
                 "confirmed since the last withdrawal where the country requires one", no_consent),
        SqlCheck("suppressed", "no complaint or hard bounce ever, no unsubscribe after the last confirmed "
                 "re-subscription", suppressed),
        SqlCheck("erased", "nobody who asked to be erased (erasure log hashes, pending requests)", erased),
        SqlCheck("personalisation_without_consent", "personalisation fields only with granted personalisation consent",
                 personalisation),
    ]


def run_directly(warehouse: Any, table: str) -> list[tuple[SqlCheck, int, list[str]]]:
    """Run every check with plain SQL on `warehouse` (for Spark); (check, offending rows, examples)."""
    results = []
    for check in checks(warehouse.name, f"{table} as audience", f"{table} as audience"):
        rows = warehouse.query(f"select * from ({check.sql}) as offending")
        results.append((check, len(rows), [str(row[0]) for row in rows[:5]]))
    return results

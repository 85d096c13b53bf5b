"""Consent, suppression, erasure and the published ESP audience, end to end on every target,
against the generator's planted truth. The whole `segwh build` job runs four times in the
target's warehouse (after every other test, see conftest):

  A  the dataset before its erasure requests arrived, as of 120 days before its end: publication 1
  B  the full dataset as of its end: erasures processed, publication 2 with its change set
  C  the same again: nothing changed
  D  a dataset with orders only (no consent records at all)
and between C and D a tampered audience must not be published. dbt's data tests are left out of
these builds (the shared builds run them); the quality gate and the activation audit run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import Dataset, prepare_target
from privacy_scan import Hit, Needles, scan_files, scan_warehouse
from segwh import publish
from segwh.build import build
from segwh.warehouse import connect

pytestmark = pytest.mark.pipeline(order=2)

AUDIENCE_COLUMNS = ["email", "customer_key", "first_name", "lifecycle_stage", "rfm_segment", "engagement_level",
                    "preferred_send_hour", "segment_names", "personalisation_allowed", "updated_at", "row_hash"]
CHANGE_COLUMNS = ["change_type", "change_reason", "customer_key", "email", "fields_to_blank", "fields_left_out"]
FATE_REASONS = {"consent_withdrawn": {"consent_withdrawn"}, "unsubscribed": {"unsubscribed"},
                "hard_bounce": {"hard_bounce"}, "complaint": {"complaint"}, "erasure_request": {"erased"}}


@dataclass
class PipelineRuns:
    target: str
    dataset: Dataset
    published_dir: Path
    as_of_before: date
    audience_a: pd.DataFrame
    audience_b: pd.DataFrame
    changes_b: pd.DataFrame
    changes_c: pd.DataFrame
    audience_c: pd.DataFrame
    hits_after_b: list[Hit]
    control_hits: list[Hit]
    accounting_b: list[tuple[str, int, int, int]]  # table, file rows, raw rows, purged rows
    bi_copy_readable_during_build: bool | None = None
    emptied: dict[str, dict[str, Any]] = field(default_factory=dict)
    tamper_code: int = 0
    files_before_tamper: dict[str, str] = field(default_factory=dict)
    files_after_tamper: dict[str, str] = field(default_factory=dict)
    published_rows_before_tamper: int = 0
    published_rows_after_tamper: int = 0
    no_consent_code: int = 0
    no_consent_output: str = ""
    no_consent_contacts: str = ""


def frame(target: str, sql: str, columns: list[str]) -> pd.DataFrame:
    warehouse = connect(target)
    try:
        return pd.DataFrame(warehouse.query(sql), columns=columns)
    finally:
        warehouse.close()


def reset_outputs(target: str) -> None:
    """Forget the erasure log, the publications and the quality history of earlier tests' builds."""
    warehouse = connect(target)
    try:
        for schema in ("privacy", "activation", "quality"):
            if target == "spark":
                warehouse.execute(f"drop database if exists {schema} cascade")
            else:
                warehouse.execute(f"drop schema if exists {schema} cascade")
    finally:
        warehouse.close()


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def erased_needles(dataset: Dataset, erased: bool = True) -> Needles:
    persons = pd.read_parquet(dataset.truth_dir / "persons.parquet")
    email_counts = persons.email.str.lower().value_counts()
    name_counts = (persons.first_name.str.lower() + " " + persons.last_name.str.lower()).value_counts()
    chosen = persons[persons.is_erased] if erased else persons[~persons.is_erased & persons.email_marketing_granted].head(3)
    emails = tuple(email.lower() for email in chosen.email.dropna() if email_counts[email.lower()] == 1)
    phones = tuple(phone[-9:] for phone in chosen.phone_e164.dropna())
    names = tuple((first.lower(), last.lower()) for first, last in zip(chosen.first_name, chosen.last_name)
                  if name_counts[f"{first.lower()} {last.lower()}"] == 1)
    return Needles(emails, phones, names)


def scan_everything(target: str, dataset: Dataset, published_dir: Path, needles: Needles) -> list[Hit]:
    warehouse = connect(target)
    try:
        hits = scan_warehouse(warehouse, target, needles)
    finally:
        warehouse.close()
    hits += scan_files(published_dir, needles)
    if target == "duckdb":
        hits += scan_files(Path(os.environ["SEGWH_BI_DUCKDB_PATH"]).parent, needles)
    return hits


def raw_accounting(target: str, raw_dir: Path) -> list[tuple[str, int, int, int]]:
    warehouse = connect(target)
    try:
        rows = []
        for path in sorted(raw_dir.glob("*.csv")):
            table = path.stem
            file_rows = len(pd.read_csv(path, dtype=str))
            raw_rows = int(warehouse.query(f"select count(*) from raw.{table}")[0][0])
            purged = int(warehouse.query(
                "select coalesce(sum(purged_rows), 0) from privacy.erasure_purges "
                f"where table_name = '{table}' and raw_loaded_at = (select max(raw_loaded_at) from raw.orders)")[0][0])
            rows.append((table, file_rows, raw_rows, purged))
        return rows
    finally:
        warehouse.close()


AUDIENCE_SQL = f"select {', '.join(AUDIENCE_COLUMNS)} from activation.esp_audience_published"
CHANGES_SQL = f"select {', '.join(CHANGE_COLUMNS)} from activation.esp_sync_changes_published"


@pytest.fixture(scope="session")
def runs(target: str, dataset: Dataset, target_environment: dict[str, Any],
         tmp_path_factory: pytest.TempPathFactory) -> PipelineRuns:
    prepare_target(target, target_environment)
    base = tmp_path_factory.mktemp(f"pipeline-{target}")
    published_dir = base / "published"
    os.environ["SEGWH_PUBLISHED_DIR"] = str(published_dir)
    os.environ["SEGWH_BI_DUCKDB_PATH"] = str(base / "bi" / "bi.duckdb")
    reset_outputs(target)

    before = base / "raw_before_erasure_requests"
    shutil.copytree(dataset.raw_dir, before, ignore=shutil.ignore_patterns("_truth"))
    (before / "erasure_requests.csv").write_text("identifier_type,identifier_value,requested_at\n")
    as_of_before = dataset.end_date - timedelta(days=120)
    end = dataset.end_date.isoformat()

    assert build(target, before, as_of_before.isoformat(), 0, run_dbt_tests=False) == 0
    audience_a = frame(target, AUDIENCE_SQL, AUDIENCE_COLUMNS)
    assert build(target, dataset.raw_dir, end, 0, run_dbt_tests=False) == 0
    audience_b = frame(target, AUDIENCE_SQL, AUDIENCE_COLUMNS)
    changes_b = frame(target, CHANGES_SQL, CHANGE_COLUMNS)
    hits = scan_everything(target, dataset, published_dir, erased_needles(dataset))
    control = scan_everything(target, dataset, published_dir, erased_needles(dataset, erased=False))
    accounting = raw_accounting(target, dataset.raw_dir)
    held = _hold_bi_copy(target)
    assert build(target, dataset.raw_dir, end, 0, run_dbt_tests=False) == 0
    result = PipelineRuns(target, dataset, published_dir, as_of_before, audience_a, audience_b, changes_b,
                          frame(target, CHANGES_SQL, CHANGE_COLUMNS), frame(target, AUDIENCE_SQL, AUDIENCE_COLUMNS),
                          hits, control, accounting)
    if held is not None:
        connection, rows_before = held
        result.bi_copy_readable_during_build = (
            connection.execute("select count(*) from activation.esp_audience_published").fetchone()[0] == rows_before)
        connection.close()
    _emptied_fields(result, end)
    _tamper(result, end)
    _no_consent(result, base, end)
    return result


def _hold_bi_copy(target: str) -> Any:
    """On DuckDB, open the BI copy read-only (as a dashboard would) and keep it open."""
    if target != "duckdb":
        return None
    import duckdb

    connection = duckdb.connect(os.environ["SEGWH_BI_DUCKDB_PATH"], read_only=True)
    return connection, connection.execute("select count(*) from activation.esp_audience_published").fetchone()[0]


def _replace_table(target: str, table: str, select_sql: str) -> None:
    warehouse = connect(target)
    using = " using parquet" if target == "spark" else ""
    try:
        warehouse.execute(f"drop table if exists {table}_edit")
        warehouse.execute(f"create table {table}_edit{using} as {select_sql}")
        if target == "spark" and table == publish.PUBLISHED_AUDIENCE:
            warehouse.execute(f"create or replace view {table} as select * from {table}_edit")
            return
        warehouse.execute(f"drop table {table}")
        warehouse.execute(f"create table {table}{using} as select * from {table}_edit")
    finally:
        warehouse.close()


def _emptied_fields(result: PipelineRuns, end: str) -> None:
    """A first name that became empty, and a lifecycle stage hidden by withdrawn personalisation
    consent: rebuild only the change set against an edited audience and publication."""
    from segwh import dbt_runner

    target = result.target
    warehouse = connect(target)
    try:
        named, = warehouse.query("select min(customer_key) from activation.esp_audience "
                                 "where personalisation_allowed and first_name is not null")[0]
        private, = warehouse.query("select min(customer_key) from activation.esp_audience where not personalisation_allowed")[0]
        columns = warehouse.fetch("select * from activation.esp_audience where 1 = 0")[0]
    finally:
        warehouse.close()
    edited = {"first_name": f"case when customer_key = '{named}' then null else first_name end as first_name"}
    _replace_table(target, "activation.esp_audience", "select " + ", ".join(edited.get(name, name) for name in columns)
                   + " from activation.esp_audience")
    stale = {"row_hash": f"case when customer_key in ('{named}', '{private}') then 'stale' else row_hash end as row_hash",
             "lifecycle_stage": f"case when customer_key = '{private}' then 'active' else lifecycle_stage end as lifecycle_stage"}
    _replace_table(target, publish.PUBLISHED_AUDIENCE, "select " + ", ".join(stale.get(name, name) for name in columns)
                   + f" from {publish.PUBLISHED_AUDIENCE}")
    for blank in (False, True):
        dbt_runner.invoke(["run", "--select", "esp_sync_changes"], target,
                          {"as_of_date": end, "esp_sync_blank_empty_fields": blank})
        changes = frame(target, "select customer_key, change_type, first_name, lifecycle_stage, fields_to_blank, fields_left_out "
                        f"from activation.esp_sync_changes where customer_key in ('{named}', '{private}')",
                        ["customer_key", "change_type", "first_name", "lifecycle_stage", "fields_to_blank", "fields_left_out"])
        result.emptied[f"blank={blank}"] = {row.customer_key: row for row in changes.itertuples()}
    result.emptied["keys"] = {"named": named, "private": private}


def _tamper(result: PipelineRuns, end: str) -> None:
    """Inject a person whose marketing consent was withdrawn into the built audience, then publish."""
    target = result.target
    warehouse = connect(target)
    try:
        row = warehouse.query(
            "select profiles.email, profiles.customer_key from marts.customer_profile as profiles "
            "inner join marts.customer_consent as consent on profiles.customer_key = consent.customer_key "
            "where consent.channel = 'email' and consent.purpose = 'marketing' and consent.consent_status = 'withdrawn' "
            "and profiles.email is not null order by profiles.customer_key limit 1")[0]
        result.files_before_tamper = file_hashes(result.published_dir)
        result.published_rows_before_tamper = int(warehouse.query(f"select count(*) from {publish.PUBLISHED_AUDIENCE}")[0][0])
        columns = warehouse.fetch("select * from activation.esp_audience where 1 = 0")[0]
        values = [f"'{row[0]}'" if name == "email" else f"'{row[1]}'" if name == "customer_key" else name
                  for name in columns]
        warehouse.execute(f"insert into activation.esp_audience select {', '.join(values)} from activation.esp_audience "
                          "where customer_key = (select min(customer_key) from activation.esp_audience)")
    finally:
        warehouse.close()
    result.tamper_code = publish.publish(target, end)
    warehouse = connect(target)
    try:
        result.published_rows_after_tamper = int(warehouse.query(f"select count(*) from {publish.PUBLISHED_AUDIENCE}")[0][0])
    finally:
        warehouse.close()
    result.files_after_tamper = file_hashes(result.published_dir)


def _no_consent(result: PipelineRuns, base: Path, end: str) -> None:
    """A first build of a company that only has orders."""
    reset_outputs(result.target)
    orders_only = base / "orders_only"
    orders_only.mkdir()
    shutil.copy(result.dataset.raw_dir / "orders.csv", orders_only / "orders.csv")
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            result.no_consent_code = build(result.target, orders_only, end, 0, run_dbt_tests=False)
    finally:
        print(output.getvalue())
    result.no_consent_output = output.getvalue()
    result.no_consent_contacts = (result.published_dir / "current" / "contacts.csv").read_text()


def planted_people(dataset: Dataset, behaviour: str) -> pd.DataFrame:
    planted = pd.read_parquet(dataset.truth_dir / "planted.parquet")
    return planted[planted.behaviour == behaviour][["person_id", "at"]].drop_duplicates("person_id")


def person_of_email(dataset: Dataset) -> dict[str, int]:
    persons = pd.read_parquet(dataset.truth_dir / "persons.parquet")
    return {email.lower(): int(person) for email, person in zip(persons.email, persons.person_id) if email}


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def test_no_planted_contact_that_may_not_be_emailed_is_in_the_audience(runs: PipelineRuns) -> None:
    dataset = runs.dataset
    people = person_of_email(dataset)
    in_audience = {people[email] for email in runs.audience_b.email if email in people}
    reconfirmed = planted_people(dataset, "consent_reconfirmed").set_index("person_id")["at"]
    checked = {}
    for behaviour in ("consent_withdrawn", "doi_never_confirmed", "unsubscribed", "hard_bounce", "complaint", "erasure_request"):
        fated = planted_people(dataset, behaviour)
        if behaviour == "unsubscribed":  # a re-subscription confirmed later lifts an unsubscribe
            later = fated.person_id.map(reconfirmed)
            fated = fated[later.isna() | (later <= fated["at"])]
        checked[behaviour] = len(fated)
        assert not in_audience & set(fated.person_id), behaviour
    assert all(count > 0 for count in checked.values()), checked
    # role and test addresses: the planted CRM rows' own addresses
    customers = pd.read_csv(dataset.raw_dir / "customers.csv", dtype=str, keep_default_na=False)
    for behaviour in ("role_email", "test_email"):
        rows = pd.read_parquet(dataset.truth_dir / "planted.parquet").query("behaviour == @behaviour").raw_row_number
        addresses = {customers.email.iloc[int(row) - 1].strip().lower() for row in rows}
        assert addresses and not addresses & set(runs.audience_b.email), behaviour


def test_people_who_left_the_audience_are_deleted_with_their_reason(runs: PipelineRuns) -> None:
    dataset = runs.dataset
    people = person_of_email(dataset)
    key_of_person = {people[email]: key for email, key in zip(runs.audience_a.email, runs.audience_a.customer_key) if email in people}
    deletes = runs.changes_b[runs.changes_b.change_type == "delete"].set_index("customer_key")
    window_start = end_of(runs.as_of_before)
    expected: dict[int, set[str]] = {}
    for behaviour, reasons in FATE_REASONS.items():
        fated = planted_people(dataset, behaviour)
        for person, at in zip(fated.person_id, fated["at"]):
            if person in key_of_person and pd.Timestamp(at) >= window_start:
                expected.setdefault(int(person), set()).update(reasons)
    verified: dict[str, int] = {}
    for person, reasons in expected.items():
        key = key_of_person[person]
        assert key in deletes.index, (person, reasons)
        reason = deletes.loc[key, "change_reason"]
        assert reason in reasons, (person, reason, reasons)
        if reason == "erased":
            assert pd.isna(deletes.loc[key, "email"])
        verified[reason] = verified.get(reason, 0) + 1
    assert {"erased", "unsubscribed", "consent_withdrawn"} <= set(verified), verified


def test_a_person_who_reconfirms_consent_comes_back_as_an_upsert(runs: PipelineRuns) -> None:
    dataset = runs.dataset
    people = person_of_email(dataset)
    excluded = set()
    for behaviour in ("unsubscribed", "hard_bounce", "complaint", "erasure_request", "role_email", "test_email", "family_email"):
        excluded |= set(planted_people(dataset, behaviour).person_id)
    reconfirmed = planted_people(dataset, "consent_reconfirmed")
    window = reconfirmed[(reconfirmed["at"] >= end_of(runs.as_of_before))
                         & ~reconfirmed.person_id.isin(excluded)]
    key_of_person = {people[email]: key for email, key in zip(runs.audience_b.email, runs.audience_b.customer_key) if email in people}
    upserts = runs.changes_b[runs.changes_b.change_type == "upsert"].set_index("customer_key")
    assert len(window) > 0
    for person in window.person_id:
        assert person in key_of_person, person
        assert key_of_person[person] in upserts.index, person


def test_an_erased_person_leaves_no_trace_in_the_warehouse_or_the_published_files(runs: PipelineRuns) -> None:
    assert runs.hits_after_b == []
    # the scan does find people who were not erased (their email, phone or name somewhere)
    assert runs.control_hits


def test_every_raw_row_is_loaded_or_purged_for_an_erasure(runs: PipelineRuns) -> None:
    for table, file_rows, raw_rows, purged in runs.accounting_b:
        assert file_rows == raw_rows + purged, table
    assert sum(purged for *_, purged in runs.accounting_b) > 0


def test_building_again_with_nothing_changed_gives_an_empty_change_set(runs: PipelineRuns) -> None:
    assert len(runs.changes_b) > 0
    assert runs.changes_c.empty
    pd.testing.assert_frame_equal(runs.audience_c.sort_values("customer_key").reset_index(drop=True),
                                  runs.audience_b.sort_values("customer_key").reset_index(drop=True))


def test_a_tampered_audience_is_not_published(runs: PipelineRuns) -> None:
    assert runs.tamper_code != 0
    assert runs.files_before_tamper and runs.files_after_tamper == runs.files_before_tamper
    assert runs.published_rows_after_tamper == runs.published_rows_before_tamper


def test_personalisation_fields_are_blank_without_personalisation_consent(runs: PipelineRuns) -> None:
    audience = runs.audience_b
    without = audience[~audience.personalisation_allowed.astype(bool)]
    fields = ["lifecycle_stage", "rfm_segment", "engagement_level", "preferred_send_hour", "segment_names"]
    assert len(without) > 0 and without[fields].isna().all().all()
    people = person_of_email(runs.dataset)
    withdrawn = set(planted_people(runs.dataset, "personalisation_withdrawn").person_id)
    in_audience = {people.get(email): allowed for email, allowed in zip(audience.email, audience.personalisation_allowed)}
    present = [person for person in withdrawn if person in in_audience]
    assert present and not any(in_audience[person] for person in present)


def test_a_field_that_became_empty_is_left_out_unless_blanking_is_configured(runs: PipelineRuns) -> None:
    named, private = runs.emptied["keys"]["named"], runs.emptied["keys"]["private"]
    default, blanking = runs.emptied["blank=False"], runs.emptied["blank=True"]
    assert default[named].change_type == "upsert" and pd.isna(default[named].first_name)
    assert default[named].fields_left_out == "first_name" and pd.isna(default[named].fields_to_blank)
    assert blanking[named].fields_to_blank == "first_name" and pd.isna(blanking[named].fields_left_out)
    # withdrawn personalisation is blanked whatever the setting
    for changes in (default, blanking):
        assert changes[private].change_type == "upsert" and pd.isna(changes[private].lifecycle_stage)
        assert changes[private].fields_to_blank == "lifecycle_stage"


def test_the_bi_copy_stays_readable_while_a_build_replaces_it(runs: PipelineRuns) -> None:
    if runs.target != "duckdb":
        pytest.skip("the read-only BI copy is a DuckDB file")
    assert runs.bi_copy_readable_during_build is True


def test_a_dataset_without_consent_publishes_an_empty_audience_with_a_warning(runs: PipelineRuns) -> None:
    assert runs.no_consent_code == 0
    assert "warning: the ESP audience is empty" in runs.no_consent_output
    assert runs.no_consent_contacts.strip().splitlines()[0].startswith("external_id,email")
    assert len(runs.no_consent_contacts.strip().splitlines()) == 1


def test_an_orders_only_dataset_gets_predictions_and_clusters(runs: PipelineRuns) -> None:
    assert "clv: fitted" in runs.no_consent_output
    assert "clusters: k = " in runs.no_consent_output

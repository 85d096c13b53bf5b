"""Identity resolution against the generator's true persons, on every target, plus hand-made
graphs on DuckDB for chains, key stability, merges and the iteration cap."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import Build
from identity_metrics import pairwise_score, record_assignments
from truth import planted

from segwh import dbt_runner
from segwh.dbt_runner import DbtFailed
from segwh.loader import load
from segwh.warehouse import DuckDBWarehouse

EMAIL = re.compile(r"^[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}$")


def test_pairwise_precision_and_recall(built: Build) -> None:
    assignments = record_assignments(built.rows, built.target, built.dataset.truth_dir)
    score = pairwise_score(assignments)
    print(
        f"\n[{built.target}] identity over {score.records} records: precision {score.precision:.5f}, "
        f"recall {score.recall:.5f} ({score.correct_pairs}/{score.predicted_pairs} predicted pairs, "
        f"{score.correct_pairs}/{score.true_pairs} true pairs)"
    )
    assert score.true_pairs > 1000
    assert score.precision >= 0.999
    assert score.recall >= 0.98


def keys_of_people(built: Build, people: set[int]) -> pd.DataFrame:
    assignments = record_assignments(built.rows, built.target, built.dataset.truth_dir)
    return assignments[assignments.person_id.isin(people)]


def test_over_merge_traps_do_not_merge_different_people(built: Build) -> None:
    truth = built.dataset.truth_dir
    for behaviour in ("family_email", "test_email", "placeholder_phone", "kiosk_device"):
        people = set(planted(truth, behaviour).person_id)
        assert len(people) >= 2, behaviour
        records = keys_of_people(built, people)
        persons_per_key = records.groupby("customer_key").person_id.nunique()
        assert persons_per_key.max() == 1, f"{behaviour}: different people share a customer_key"
    refused = pd.DataFrame(
        built.rows("select identifier_type, identifier_value, refusal_reason from marts.identity_refused_identifiers"),
        columns=["identifier_type", "identifier_value", "refusal_reason"],
    )
    family_emails = set(planted(truth, "family_email").detail)
    assert len(refused[refused.identifier_value.str.startswith("family.")]) == len(family_emails)
    assert (refused[refused.identifier_type == "anonymous_id"].refusal_reason == "shared_by_too_many_customer_ids").sum() == 3
    assert "blocklisted" in refused[refused.identifier_value == "test@example.com"].refusal_reason.iloc[0]


def test_second_accounts_linked_only_through_a_device_resolve(built: Build) -> None:
    truth = built.dataset.truth_dir
    chained = planted(truth, "crm_duplicate")
    chained = chained[chained.detail == "other_email_web_link"]
    assert len(chained) > 0
    records = keys_of_people(built, set(chained.person_id))
    crm = records[records.table_name == "customers"]
    split_people = crm.groupby("person_id").customer_key.nunique()
    assert (split_people == 1).mean() >= 0.95, split_people[split_people > 1]


def test_profile_order_facts_match_an_independent_computation(built: Build, dataset_rates: dict[str, float]) -> None:
    """Qualifying orders and net revenue recomputed in pandas from the raw file and planted truth."""
    truth = built.dataset.truth_dir
    orders = pd.read_csv(built.dataset.raw_dir / "orders.csv", dtype=str, keep_default_na=False)
    orders["raw_row_number"] = range(1, len(orders) + 1)
    unusable: set[int] = set()
    for behaviour in ("null_id", "negative_amount", "unparseable_amount", "future_dated", "invalid_timestamp"):
        unusable |= set(planted(truth, behaviour, "orders").raw_row_number)
    usable = orders[~orders.raw_row_number.isin(unusable)].sort_values(["updated_at", "raw_row_number"])
    latest = usable.groupby("order_id").tail(1).copy()
    rate = latest.currency.map(lambda code: dataset_rates["USD"] / dataset_rates[code])
    amount = (latest.amount.astype(float) * rate).round(2)
    refunded = (latest.refunded_amount.replace("", "0").astype(float) * rate).round(2)
    qualifying = latest.status.isin(["completed", "shipped", "delivered"]) & ~((refunded >= amount) & (refunded > 0))
    expected_orders = int(qualifying.sum())
    expected_net = float((amount - refunded).clip(lower=0)[qualifying].sum())
    actual_orders, actual_net = built.rows("select sum(qualifying_orders), sum(net_revenue) from marts.customer_profile")[0]
    assert int(actual_orders) == expected_orders
    assert float(actual_net) == pytest.approx(expected_net, abs=0.01 * expected_orders)


def test_marketing_email_is_a_valid_address_of_the_person(built: Build) -> None:
    rows = built.rows(
        """
        select profile.customer_key, profile.email, identifiers.customer_key
        from marts.customer_profile as profile
        left join marts.customer_identifiers as identifiers
            on identifiers.identifier_type = 'email' and identifiers.identifier_value = profile.email
        where profile.email is not null
        """
    )
    assert rows
    for customer_key, email, owner in rows:
        assert EMAIL.match(email), email
        assert owner == customer_key, email
    refused = {row[0] for row in built.rows("select identifier_value from marts.identity_refused_identifiers")}
    assert not refused & {row[1] for row in rows}


# ----------------------------------------------------------------- hand-made graphs (DuckDB)

CUSTOMERS_HEADER = "customer_id,email,phone,first_name,last_name,signed_up_at,country\n"
ORDERS_HEADER = "order_id,customer_id,email,ordered_at,amount,status\n"
WEB_HEADER = "event_id,anonymous_id,customer_id,email,event_type,occurred_at\n"


def write_raw(folder: Path, customers: str, orders: str, web: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customers.csv").write_text(CUSTOMERS_HEADER + customers)
    (folder / "orders.csv").write_text(ORDERS_HEADER + orders)
    (folder / "web_events.csv").write_text(WEB_HEADER + web)
    return folder


class SmallWarehouse:
    """A throw-away DuckDB warehouse built from hand-made files with only the identity models."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def build(self, raw_dir: Path, full_refresh: bool = False, **variables: Any) -> None:
        previous = os.environ.get("DUCKDB_PATH")
        os.environ["DUCKDB_PATH"] = str(self.path)
        try:
            warehouse = DuckDBWarehouse(self.path)
            load(raw_dir, warehouse)
            warehouse.close()
            dbt_runner.invoke(
                [
                    "build", "--select", "+identity_key_changes", "+customer_identifiers", "+identity_fuzzy_candidates",
                    "--resource-type", "model", "--resource-type", "seed",
                    *(["--full-refresh"] if full_refresh else []),
                ],
                "duckdb",
                {"as_of_date": "2026-01-31", **variables},
            )
        finally:
            if previous is not None:
                os.environ["DUCKDB_PATH"] = previous

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        warehouse = DuckDBWarehouse(self.path)
        try:
            return warehouse.query(sql)
        finally:
            warehouse.close()

    def key_of(self, identifier_type: str, value: str) -> str:
        rows = self.query(
            f"select customer_key from marts.customer_identifiers where identifier_type = '{identifier_type}' and identifier_value = '{value}'"
        )
        assert len(rows) == 1, (identifier_type, value, rows)
        return str(rows[0][0])


CHAIN_CUSTOMERS = (
    "C1,a@one.com,,Ann,Lee,2025-01-01 00:00:00,US\n"
    "C3,p@old.com,,Pat,Old,2024-01-01 00:00:00,US\n"
    "C4,q@new.com,,Quin,New,2025-06-01 00:00:00,US\n"
)
CHAIN_ORDERS = "O1,C2,a@one.com,2025-02-01 10:00:00,10.00,completed\n"
CHAIN_WEB = (
    "E1,D1,C2,,page_view,2025-03-01 10:00:00\n"
    "E2,D1,,d@four.com,identify,2025-03-01 10:05:00\n"
)


def test_a_chain_of_records_resolves_and_keys_are_stable_then_merge_keeps_the_oldest(tmp_path: Path) -> None:
    small = SmallWarehouse(tmp_path / "small.duckdb")
    raw = write_raw(tmp_path / "raw", CHAIN_CUSTOMERS, CHAIN_ORDERS, CHAIN_WEB)
    small.build(raw)
    # C1 - a@one.com (CRM), a@one.com - C2 (order), C2 - D1 (web login), D1 - d@four.com (web identify)
    chain = {small.key_of(kind, value) for kind, value in [("customer_id", "C1"), ("email", "a@one.com"), ("customer_id", "C2"), ("anonymous_id", "D1"), ("email", "d@four.com")]}
    assert len(chain) == 1
    old_key, new_key = small.key_of("customer_id", "C3"), small.key_of("customer_id", "C4")
    assert len({old_key, new_key, *chain}) == 3

    # nothing changed: the same keys and no key changes
    small.build(raw)
    assert small.key_of("customer_id", "C1") in chain
    assert small.key_of("customer_id", "C3") == old_key
    assert small.query("select count(*) from marts.identity_key_changes") == [(0,)]

    # an order links C4 to Pat's email: the people merge and the older key survives
    write_raw(raw, CHAIN_CUSTOMERS, CHAIN_ORDERS + "O2,C4,p@old.com,2025-07-01 10:00:00,5.00,completed\n", CHAIN_WEB)
    small.build(raw)
    assert small.key_of("customer_id", "C4") == old_key
    assert small.key_of("email", "q@new.com") == old_key
    changes = small.query("select previous_customer_key, customer_key, change_type from marts.identity_key_changes")
    assert changes == [(new_key, old_key, "merge")]

    # and when the link disappears again, the person splits: Pat keeps the key, Quin gets hers back
    write_raw(raw, CHAIN_CUSTOMERS, CHAIN_ORDERS, CHAIN_WEB)
    small.build(raw)
    assert small.key_of("customer_id", "C3") == old_key
    assert small.key_of("customer_id", "C4") == new_key
    assert small.query("select previous_customer_key, customer_key, change_type from marts.identity_key_changes") == [
        (old_key, new_key, "split")
    ]


def test_label_propagation_that_does_not_converge_fails_without_writing(tmp_path: Path) -> None:
    small = SmallWarehouse(tmp_path / "capped.duckdb")
    raw = write_raw(tmp_path / "raw", CHAIN_CUSTOMERS, CHAIN_ORDERS, CHAIN_WEB)
    with pytest.raises(DbtFailed):
        small.build(raw, identity_max_iterations=1)
    tables = {row[0] for row in small.query("select table_name from information_schema.tables where table_schema = 'intermediate'")}
    assert not any(name.startswith("int_identity__components") for name in tables)


UNTOUCHED_CUSTOMER = "C6,u@six.com,,Uma,Six,2024-06-01 00:00:00,US\n"
MERGE_AND_NEW = (
    CHAIN_CUSTOMERS + UNTOUCHED_CUSTOMER + "C7,n@seven.com,,Nia,Seven,2025-08-01 00:00:00,US\n",
    CHAIN_ORDERS + "O2,C4,p@old.com,2025-07-01 10:00:00,5.00,completed\n",
    CHAIN_WEB + "E3,D2,C1,,page_view,2025-08-02 10:00:00\n",
)
SPLIT_AND_GONE = (
    CHAIN_CUSTOMERS.replace("C3,p@old.com,,Pat,Old,2024-01-01 00:00:00,US\n", "") + UNTOUCHED_CUSTOMER
    + "C7,n@seven.com,,Nia,Seven,2025-08-01 00:00:00,US\n",
    CHAIN_ORDERS,
    CHAIN_WEB + "E3,D2,C1,,page_view,2025-08-02 10:00:00\n",
)


def components(small: SmallWarehouse) -> set[tuple[str, str]]:
    return {(str(node), str(component)) for node, component in small.query(
        "select node, component_id from intermediate.int_identity__components")}


def test_label_propagation_recomputes_only_the_components_that_changed_edges_touch(tmp_path: Path) -> None:
    small = SmallWarehouse(tmp_path / "incremental.duckdb")
    raw = write_raw(tmp_path / "raw", CHAIN_CUSTOMERS + UNTOUCHED_CUSTOMER, CHAIN_ORDERS, CHAIN_WEB)
    small.build(raw)
    untouched = {"customer_id:C6", "email:u@six.com"}
    assert {component for node, component in components(small) if node in untouched} == {"customer_id:C6"}
    # mark Uma's component: a build that computes it again overwrites the mark
    small.query("update intermediate.int_identity__components set component_id = 'marked' where component_id = 'customer_id:C6'")

    happened = [
        # the merge through Pat's email, a new device on Ann, a new person
        {("customer_id:C4", "customer_id:C3"), ("anonymous_id:D2", "anonymous_id:D1"), ("customer_id:C7", "customer_id:C7")},
        # the split, and Pat's CRM record gone with her email
        {("customer_id:C4", "customer_id:C4"), ("email:q@new.com", "customer_id:C4")},
    ]
    for step, files in enumerate([MERGE_AND_NEW, SPLIT_AND_GONE]):
        write_raw(raw, *files)
        small.build(raw)
        fresh = SmallWarehouse(tmp_path / f"fresh_{step}.duckdb")
        fresh.build(write_raw(tmp_path / f"raw_{step}", *files))
        expected = components(fresh)
        got = components(small)
        # every component an added or removed edge touches is what a build from scratch computes
        assert {row for row in got if row[0] not in untouched} == {row for row in expected if row[0] not in untouched}
        # and the one no change touches was kept as it was
        assert {row for row in got if row[0] in untouched} == {(node, "marked") for node in untouched}
        assert happened[step] <= got
    assert not any(node in ("customer_id:C3", "email:p@old.com") for node, _ in got)

    small.build(raw, full_refresh=True)
    assert components(small) == expected


FUZZY_CUSTOMERS_HEADER = "customer_id,email,phone,first_name,last_name,signed_up_at,country,postal_code\n"


def test_fuzzy_candidates_are_listed_and_merged_only_when_promoted(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "customers.csv").write_text(
        FUZZY_CUSTOMERS_HEADER
        + "F1,ann.lee@mail.com,,Ann,Lee,2025-01-01 00:00:00,US,94110\n"
        + "F2,ann.lea@mail.com,,ann,LEE,2025-02-01 00:00:00,US,94110\n"
        + "F3,ann.lex@mail.com,,Ann,Lee,2025-03-01 00:00:00,US,10001\n"
    )
    (raw / "orders.csv").write_text(ORDERS_HEADER + "Z1,F1,ann.lee@mail.com,2025-02-01 10:00:00,10.00,completed\n")
    small = SmallWarehouse(tmp_path / "fuzzy.duckdb")
    small.build(raw)
    candidates = small.query("select customer_id_a, customer_id_b, email_distance, match_score, is_promoted from marts.identity_fuzzy_candidates")
    # same name and postal code, emails one edit apart; F3 lives elsewhere
    assert [(a, b, int(d), float(s), p) for a, b, d, s, p in candidates] == [("F1", "F2", 1, 0.9, False)]
    assert small.key_of("customer_id", "F1") != small.key_of("customer_id", "F2")
    small.build(raw, identity_fuzzy_promote_min_score=0.9)
    assert small.key_of("customer_id", "F1") == small.key_of("customer_id", "F2")
    assert small.query("select is_promoted from marts.identity_fuzzy_candidates") == [(True,)]

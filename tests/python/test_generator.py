"""The demo data generator: deterministic, every raw row has a true person, and the mess and
behaviours the later tests rely on are really planted."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from segwh.contract import load_contract
from segwh.generator import GeneratorConfig, generate

from conftest import Dataset


def digest(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.csv"))}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    config = GeneratorConfig(customers=300, seed=5, end_date=date(2025, 6, 30))
    generate(config, tmp_path / "a")
    generate(config, tmp_path / "b")
    generate(GeneratorConfig(customers=300, seed=6, end_date=date(2025, 6, 30)), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["orders.csv"] != digest(tmp_path / "c")["orders.csv"]


def test_every_file_follows_the_contract_and_every_row_has_a_true_person(dataset: Dataset) -> None:
    records = pq.read_table(dataset.truth_dir / "records.parquet").to_pandas()
    for table in load_contract().values():
        path = dataset.raw_dir / f"{table.name}.csv"
        assert path.exists(), path
        content = pacsv.read_csv(path)
        assert content.column_names == list(table.column_names), table.name
        if table.name in ("products", "order_items"):
            continue
        truth_rows = records[records.table_name == table.name]
        assert len(truth_rows) == content.num_rows, table.name
        assert truth_rows.raw_row_number.tolist() == list(range(1, content.num_rows + 1))


def test_metadata_records_the_end_date_used_as_as_of_date(dataset: Dataset) -> None:
    metadata = json.loads((dataset.raw_dir / "dataset.json").read_text())
    assert metadata["as_of_date"] == dataset.end_date.isoformat()
    orders = pacsv.read_csv(dataset.raw_dir / "orders.csv").to_pandas()
    planted = pq.read_table(dataset.truth_dir / "planted.parquet").to_pandas()
    future_rows = set(planted[planted.behaviour == "future_dated"].raw_row_number)
    ordered = orders.ordered_at.astype(str).str.slice(0, 10)
    latest_ordinary = ordered[~(orders.index + 1).isin(future_rows) & ordered.str.match(r"\d{4}-\d{2}-\d{2}")].max()
    assert latest_ordinary <= dataset.end_date.isoformat()


def test_the_mess_and_behaviours_are_planted(dataset: Dataset) -> None:
    planted = pq.read_table(dataset.truth_dir / "planted.parquet").to_pandas()
    behaviours = set(planted.behaviour)
    expected = {
        "malformed_email", "null_id", "superseded_version", "crm_duplicate", "test_email", "family_email",
        "placeholder_phone", "negative_amount", "unparseable_amount", "future_dated", "guest_checkout",
        "cancelled_order", "refunded_order", "duplicate_delivery", "late_arriving", "abandoned_cart",
        "cart_purchased", "kiosk_device", "web_account_link", "doi_never_confirmed", "consent_withdrawn",
        "consent_reconfirmed", "unsubscribed", "hard_bounce", "complaint", "soft_bounces", "erasure_request",
    }
    assert expected <= behaviours, expected - behaviours
    persons = pq.read_table(dataset.truth_dir / "persons.parquet").to_pandas()
    # several CRM records per person exist, and family emails join different people
    family = planted[planted.behaviour == "family_email"]
    assert family.groupby("detail").person_id.nunique().min() == 4
    assert persons.is_guest.any() and persons.is_buyer.any() and (~persons.is_buyer).any()

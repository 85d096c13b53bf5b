"""Pairwise precision and recall of identity resolution against the generator's true persons."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

RECORD_KEYS_SQL = """
select 'customers' as table_name, source_rows.raw_row_number, record_keys.customer_key
from staging.stg_crm__customers as source_rows
inner join intermediate.int_identity__record_keys as record_keys
    on record_keys.source_table = 'customers' and record_keys.record_key = source_rows.customer_id
union all
select 'orders' as table_name, source_rows.raw_row_number, record_keys.customer_key
from staging.stg_shop__orders as source_rows
inner join intermediate.int_identity__record_keys as record_keys
    on record_keys.source_table = 'orders' and record_keys.record_key = source_rows.order_id
union all
select 'consent_events' as table_name, source_rows.raw_row_number, record_keys.customer_key
from staging.stg_consent__events as source_rows
inner join intermediate.int_identity__record_keys as record_keys
    on record_keys.source_table = 'consent_events'
    and record_keys.record_key = cast(source_rows.raw_row_number as {string_type})
union all
select 'preferences' as table_name, source_rows.raw_row_number, record_keys.customer_key
from staging.stg_esp__preferences as source_rows
inner join intermediate.int_identity__record_keys as record_keys
    on record_keys.source_table = 'preferences'
    and record_keys.record_key = cast(source_rows.raw_row_number as {string_type})
"""


@dataclass
class PairwiseScore:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def record_assignments(query: Callable[[str], list[tuple[Any, ...]]], target_type: str, truth_dir: Path) -> pd.DataFrame:
    string_type = "string" if target_type == "spark" else "varchar"
    predicted = pd.DataFrame(query(RECORD_KEYS_SQL.format(string_type=string_type)), columns=["table_name", "raw_row_number", "customer_key"])
    predicted["raw_row_number"] = predicted.raw_row_number.astype("int64")
    truth = pd.read_parquet(truth_dir / "records.parquet")
    return predicted.merge(truth, on=["table_name", "raw_row_number"], how="inner", validate="one_to_one")


def pairwise_score(assignments: pd.DataFrame) -> PairwiseScore:
    return PairwiseScore(
        records=len(assignments),
        true_pairs=_pairs(assignments.groupby("person_id").size()),
        predicted_pairs=_pairs(assignments.groupby("customer_key").size()),
        correct_pairs=_pairs(assignments.groupby(["customer_key", "person_id"]).size()),
    )

"""Reading the generator's ground truth in tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def planted(truth_dir: Path, behaviour: str, table: str | None = None) -> pd.DataFrame:
    frame = pd.read_parquet(truth_dir / "planted.parquet")
    frame = frame[frame.behaviour == behaviour]
    if table is not None:
        frame = frame[frame.table_name == table]
    return frame


def planted_rows(truth_dir: Path, behaviour: str, table: str) -> set[int]:
    return set(int(row) for row in planted(truth_dir, behaviour, table).raw_row_number)

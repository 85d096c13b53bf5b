"""Point in time: building as of an earlier date ignores every row after it, exactly as if the
data had been loaded on that day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from conftest import Dataset, build_on


def test_an_earlier_as_of_date_ignores_later_rows(dataset: Dataset, target_environment: dict[str, Any], tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    as_of = dataset.end_date - timedelta(days=90)
    previous = os.environ["DUCKDB_PATH"]
    os.environ["DUCKDB_PATH"] = str(tmp_path / "replay.duckdb")
    try:
        build = build_on("duckdb", dataset, as_of.isoformat(), target_environment)
        staged_web = build.scalar("select count(*) from staging.stg_web__events")
        latest = build.scalar("select max(occurred_at) from staging.stg_web__events")
        latest_received = build.scalar("select max(received_at) from staging.stg_web__events")
        deferred = build.scalar(
            "select count(*) from staging.stg_quarantined_rows where source_table = 'web_events' and reason_code = 'after_as_of_date'"
        )
        build.warehouse.close()
    finally:
        os.environ["DUCKDB_PATH"] = previous
    web = pd.read_csv(dataset.raw_dir / "web_events.csv", dtype=str, keep_default_na=False)
    cutoff = (as_of + timedelta(days=1)).isoformat()
    known = web[(web.occurred_at < cutoff) & (web.received_at < cutoff) & (web.event_id != "")]
    assert latest < pd.Timestamp(cutoff) and latest_received < pd.Timestamp(cutoff)
    assert staged_web == known.event_id.nunique()
    # rows with an event id that happened or arrived after the date are deferred, not lost
    later = (web.occurred_at >= cutoff) | (web.received_at >= cutoff)
    assert deferred == (later & (web.event_id != "")).sum()
    assert deferred > 0

"""Incremental event models: building day by day gives exactly what a full refresh gives, re-running
the same day changes nothing, and moving as_of_date backwards replays that day exactly, on every
target (DuckDB and PostgreSQL delete the recomputed days, Spark drops their partitions)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from conftest import Build
from segwh import dbt_runner, targets

MODEL = "int_events__web_sessionized"


def _run(built: Build, as_of: str, full_refresh: bool = False) -> None:
    command = ["run", "--select", f"+{MODEL}"] + (["--full-refresh"] if full_refresh else [])
    dbt_runner.invoke(command, built.target, {"as_of_date": as_of})


def _rows(built: Build) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(str(value) for value in row)
        for row in built.rows(
            f"select event_id, session_key, device_key, event_date, occurred_at, arrived_at from intermediate.{MODEL}"
        )
    )


def _compiled_window(built: Build) -> str | None:
    target_path = Path(os.environ.get("SEGWH_DBT_TARGET_PATH") or targets.PROJECT_DIR / "target" / built.target)
    compiled = (target_path / "compiled" / "segwh" / "models" / "intermediate" / "events" / f"{MODEL}.sql").read_text()
    marker = "where event_date >= cast('"
    return compiled.split(marker, 1)[1][:10] if marker in compiled else None


def test_day_by_day_equals_full_refresh_and_replays_backwards(built: Build) -> None:
    end = built.dataset.end_date
    day = lambda offset: (end - timedelta(days=offset)).isoformat()  # noqa: E731
    full_at_end = _rows(built)
    assert len(full_at_end) > 10_000

    _run(built, day(4), full_refresh=True)
    full_earlier = _rows(built)
    assert 0 < len(full_earlier) < len(full_at_end)

    try:
        for offset in (2, 1, 0):
            _run(built, day(offset))
            window = _compiled_window(built)
            assert window is not None and window <= day(offset), "the run was not incremental"
        assert _rows(built) == full_at_end

        _run(built, day(0))
        assert _compiled_window(built) == (end + timedelta(days=1)).isoformat()  # nothing new: nothing recomputed
        assert _rows(built) == full_at_end

        _run(built, day(4))
        assert _rows(built) == full_earlier
    finally:
        _run(built, day(0))
    assert _rows(built) == full_at_end

"""The benchmark (segwh/bench.py): its reading of dbt's run results (the seconds spent on a model
in a build count every run of it, while the comparison with its SQL run once uses its longest run)
and the files it holds back for the daily run."""

from __future__ import annotations

import json
from pathlib import Path

from segwh.bench import model_run_seconds, split_last_day


def run_results(folder: Path, name: str, seconds: dict[str, float]) -> None:
    results = [{"unique_id": f"model.segwh.{model}", "execution_time": value} for model, value in seconds.items()]
    results.append({"unique_id": "test.segwh.not_null_x", "execution_time": 99.0})
    (folder / name).write_text(json.dumps({"results": results}))


def test_a_model_built_twice_counts_both_runs_in_total_and_one_as_its_longest(tmp_path: Path) -> None:
    run_results(tmp_path, "run_results.erasure.json", {"int_identity__observations": 14.5, "base_web__events": 56.0})
    run_results(tmp_path, "run_results.part1.json", {"int_identity__observations": 16.25, "base_web__events": 4.0})
    run_results(tmp_path, "run_results.json", {"customer_profile": 8.0})

    total, longest = model_run_seconds(tmp_path)

    assert total == {"int_identity__observations": 30.75, "base_web__events": 60.0, "customer_profile": 8.0}
    assert longest == {"int_identity__observations": 16.25, "base_web__events": 56.0, "customer_profile": 8.0}


def write_csv(path: Path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n")


def read_rows(path: Path) -> list[str]:
    return path.read_text().splitlines()[1:]


def test_the_daily_files_hold_the_last_days_arrivals_and_the_requests_of_the_day_before(tmp_path: Path) -> None:
    raw, day = tmp_path / "raw", tmp_path / "day"
    raw.mkdir()
    events = "event_id,occurred_at,received_at"
    write_csv(raw / "web_events.csv", events, ["w1,2026-03-30 10:00:00,", "w2,2026-03-29 23:00:00,2026-03-31 01:00:00",
                                               "w3,2026-03-31 08:00:00,", "w4,2026-04-02 08:00:00,"])
    write_csv(raw / "email_events.csv", events, ["e1,2026-03-31 09:00:00,", "e2,2026-03-30 09:00:00,"])
    write_csv(raw / "orders.csv", "order_id,ordered_at,updated_at",
              ["o1,2026-03-20 10:00:00,2026-03-31 12:00:00", "o2,2026-03-30 10:00:00,", "o3,2026-03-31 10:00:00,"])
    write_csv(raw / "order_items.csv", "order_id,product_id", ["o1,p1", "o2,p1", "o3,p2", "o3,p3"])
    write_csv(raw / "consent_events.csv", "consent_id,occurred_at", ["c1,2026-03-31 07:00:00", "c2,2026-01-01 07:00:00"])
    write_csv(raw / "erasure_requests.csv", "identifier_type,identifier_value,requested_at",
              ["email,a@example.com,2026-03-30 11:00:00", "email,b@example.com,2026-03-29 11:00:00",
               "phone,+15550000001,2026-03-30 23:59:59"])

    moved = split_last_day(raw, day, "2026-03-31")

    expected_day = {
        "web_events": ["w2,2026-03-29 23:00:00,2026-03-31 01:00:00", "w3,2026-03-31 08:00:00,"],
        "email_events": ["e1,2026-03-31 09:00:00,"],
        "orders": ["o1,2026-03-20 10:00:00,2026-03-31 12:00:00", "o3,2026-03-31 10:00:00,"],
        "order_items": ["o1,p1", "o3,p2", "o3,p3"],
        "consent_events": ["c1,2026-03-31 07:00:00"],
        "erasure_requests": ["email,a@example.com,2026-03-30 11:00:00", "phone,+15550000001,2026-03-30 23:59:59"],
    }
    assert {table: read_rows(day / table / "2026-03-31.csv") for table in expected_day} == expected_day
    assert moved == sum(len(rows) for rows in expected_day.values())
    assert read_rows(raw / "web_events.csv") == ["w1,2026-03-30 10:00:00,", "w4,2026-04-02 08:00:00,"]
    assert read_rows(raw / "erasure_requests.csv") == ["email,b@example.com,2026-03-29 11:00:00"]
    assert read_rows(raw / "order_items.csv") == ["o2,p1"]

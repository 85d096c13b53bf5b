"""The benchmark's reading of dbt's run results (segwh/bench.py): the seconds spent on a model in
a build count every run of it, while the comparison with its SQL run once uses its longest run."""

from __future__ import annotations

import json
from pathlib import Path

from segwh.bench import model_run_seconds


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

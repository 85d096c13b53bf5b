"""The same input gives the same staging layer on every target: row counts and a checksum of
every column of every staging, quarantine and deduplication model, compared across engines."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import Build

from segwh.staging_layout import STAGING_TABLES

COMPARED_MODELS = [*STAGING_TABLES.values(), "stg_quarantined_rows", "stg_superseded_rows", "stg_raw_row_accounting"]


def normalise(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return f"{value:.6f}"
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith("{"):
        return json.dumps(json.loads(text), sort_keys=True)
    return text


def fingerprint(build: Build, model: str) -> tuple[int, str]:
    rows = build.rows(f"select * from staging.{model}")
    lines = sorted("|".join(normalise(value) for value in row) for row in rows)
    return len(rows), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_staging_is_identical_on_every_target(all_builds: dict[str, Build]) -> None:
    if len(all_builds) < 2:
        pytest.skip("only one target requested")
    reference_target, *others = list(all_builds)
    differences = []
    for model in COMPARED_MODELS:
        expected = fingerprint(all_builds[reference_target], model)
        for target in others:
            actual = fingerprint(all_builds[target], model)
            if actual != expected:
                differences.append(f"{model}: {reference_target} {expected} vs {target} {actual}")
    assert not differences, "\n".join(differences)


def test_staging_layout_matches_the_dbt_macro() -> None:
    macro = (Path(__file__).resolve().parents[2] / "macros" / "staging" / "staging_tables.sql").read_text()
    pairs = dict(re.findall(r"'table': '(\w+)'.*?'staging': '(\w+)'", macro))
    assert pairs == STAGING_TABLES

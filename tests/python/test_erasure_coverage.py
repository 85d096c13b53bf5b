"""Every model that keeps rows across builds says how erasure reaches it: `meta.erase_by` (the
identifier columns `segwh.apply_erasures` deletes by) or `meta.erase_by_reason` (why it holds no
person). Tables rebuilt from raw need nothing: the raw purge empties them of erased people."""

from __future__ import annotations

from pathlib import Path

import yaml

from segwh import targets

MODELS = targets.PROJECT_DIR / "models"
NODE_TYPES = {"customer_id", "email", "phone", "anonymous_id", "subscriber_id", "customer_key", "order_id"}
LOG_ITSELF = {"erasure_log"}


def incremental_models() -> set[str]:
    names = set()
    for path in MODELS.rglob("*.sql"):
        text = path.read_text()
        if any(marker in text for marker in (
            "materialized='incremental'", "materialized='label_propagation'", "incremental_event_config(", "attribution_config(",
        )):
            names.add(path.stem)
    return names


def model_meta() -> dict[str, dict]:
    metas: dict[str, dict] = {}
    for path in MODELS.rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            metas[model["name"]] = (model.get("config") or {}).get("meta") or {}
    return metas


def test_every_incremental_model_declares_how_erasure_reaches_it() -> None:
    incremental = incremental_models() - LOG_ITSELF
    metas = model_meta()
    assert {"int_identity__key_history", "int_events__web_sessionized", "segment_membership_log", "base_web__events",
            "int_events__web_attributed", "int_events__web_sessions", "int_identity__components"} <= incremental
    for name in sorted(incremental):
        meta = metas.get(name, {})
        assert meta.get("erase_by") or meta.get("erase_by_reason"), name
        for column, node_type in (meta.get("erase_by") or {}).items():
            assert node_type in NODE_TYPES, (name, column, node_type)
            assert column in (MODELS.rglob(f"{name}.sql").__next__().read_text()), (name, column)

"""Run dbt in this process with the project's profile, a target and the run's vars."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from segwh import privacy, targets


class DbtFailed(RuntimeError):
    """dbt reported a failure; its own output above says which node and why."""


def invoke(command: list[str], target: str, variables: dict[str, Any] | None = None) -> Any:
    """Run one dbt command (for example ["build"]) against `target`; raise DbtFailed on failure."""
    from dbt.cli.main import dbtRunner

    targets.check_target(target)
    targets.export_settings()
    privacy.ensure_erasure_salt()
    os.environ["SEGWH_TARGET"] = target
    project = targets.PROJECT_DIR
    Path(targets.setting("SEGWH_DUCKDB_TEMP_DIR")).mkdir(parents=True, exist_ok=True)
    arguments = [
        *command,
        "--project-dir", str(project),
        "--profiles-dir", str(project / "profiles"),
        "--target", target,
        "--target-path", os.environ.get("SEGWH_DBT_TARGET_PATH") or str(project / "target" / target),
        "--log-path", str(project / "logs" / target),
    ]
    if variables:
        arguments += ["--vars", json.dumps(variables)]
    result = dbtRunner().invoke(arguments)
    if not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise DbtFailed(f"dbt {' '.join(command)} failed on {target}{detail}")
    return result.result

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
    arguments = [
        *command,
        "--project-dir", str(project),
        "--profiles-dir", str(project / "profiles"),
        "--target", target,
        "--target-path", str(target_path(target)),
        "--log-path", str(project / "logs" / target),
    ]
    if variables:
        arguments += ["--vars", json.dumps(variables)]
    result = dbtRunner().invoke(arguments)
    if not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise DbtFailed(f"dbt {' '.join(command)} failed on {target}{detail}")
    return result.result


def target_path(target: str) -> Path:
    """dbt's target folder (compiled SQL, run_results.json) for `target`."""
    return Path(os.environ.get("SEGWH_DBT_TARGET_PATH") or targets.PROJECT_DIR / "target" / target)


def keep_run_results(target: str, label: str) -> None:
    """Copy run_results.json to run_results.<label>.json before the next invocation replaces it."""
    import shutil

    source = target_path(target) / "run_results.json"
    if source.exists():
        shutil.copy(source, source.with_name(f"run_results.{label}.json"))

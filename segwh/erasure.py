"""Erasure in the main job, right after the raw files are loaded:

1. purge from the raw tables every row carrying an identifier already in privacy.erasure_log
   (a late file cannot re-create an erased person); a first build, with no log yet, skips it;
2. when erasure requests remain (new ones), build the identity up to the erasure log, which
   logs the salted hash of every identifier of each named person, then purge again and delete
   those people's rows from the models that keep rows across builds (`segwh.apply_erasures`).

The main `dbt build` that follows then rebuilds every table without them. With plain `dbt build`
(a scheduler), run `dbt run-operation segwh.apply_erasures` after it; the next build is clean.
"""

from __future__ import annotations

from segwh import dbt_runner
from segwh.warehouse import connect


def purge_and_log(target: str, as_of: str) -> int:
    """Run steps 1 and 2; returns the number of erasure requests that were processed."""
    variables = {"as_of_date": as_of}
    if _erasure_log_exists(target):
        dbt_runner.invoke(["run-operation", "segwh.purge_erased_raw_rows"], target, variables)
    else:
        # a first build: nothing is logged yet, so nothing to purge (spares starting dbt, ~4 s)
        print("erasure: no erasure log yet, nothing to purge")
    warehouse = connect(target)
    try:
        pending = int(warehouse.query("select count(*) from raw.erasure_requests")[0][0])
    finally:
        warehouse.close()
    if not pending:
        return 0
    print(f"erasure: {pending} request(s) in raw.erasure_requests: logging every identifier of the people they name")
    dbt_runner.invoke(
        ["build", "--select", "+erasure_log", "--exclude-resource-type", "test", "unit_test"], target, variables
    )
    dbt_runner.keep_run_results(target, "erasure")
    dbt_runner.invoke(["run-operation", "segwh.apply_erasures"], target, variables)
    return pending


def _erasure_log_exists(target: str) -> bool:
    warehouse = connect(target)
    try:
        return "erasure_log" in warehouse.relations("privacy")
    finally:
        warehouse.close()

"""Shared fixtures: a small generated dataset with ground truth, and a real build of it on each
target named by --targets (default: duckdb postgres spark). PostgreSQL is a real server started
here on a free port in a throw-away directory; Spark is a local session through dbt-spark's
`session` method."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ["TZ"] = "UTC"
time.tzset()
os.environ["SEGWH_ERASURE_SALT"] = "test-salt-not-a-secret-0123456789"

from segwh import targets  # noqa: E402
from segwh.build import dbt_build  # noqa: E402
from segwh.generator import GeneratorConfig, generate  # noqa: E402
from segwh.loader import load  # noqa: E402
from segwh.warehouse import Warehouse, connect  # noqa: E402

DATA_END = date(2026, 3, 31)
SMALL_CUSTOMERS = 1500


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--targets", default="duckdb postgres spark", help="space-separated targets to build on")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pipeline(order=n): rebuilds the target's shared warehouse with other data or dates (runs last, by order)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Pipeline tests rebuild the shared warehouses with other data: they run after every other test."""
    def order(item: pytest.Item) -> tuple[bool, int]:
        marker = item.get_closest_marker("pipeline")
        return marker is not None, int(marker.kwargs.get("order", 0)) if marker else 0

    items.sort(key=order)


def requested_targets(config: pytest.Config) -> list[str]:
    names = config.getoption("--targets").split()
    for name in names:
        targets.check_target(name)
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", requested_targets(metafunc.config), scope="session")


@dataclass
class Dataset:
    raw_dir: Path
    end_date: date

    @property
    def truth_dir(self) -> Path:
        return self.raw_dir / "_truth"


@dataclass
class Build:
    target: str
    dataset: Dataset
    as_of_date: str
    warehouse: Warehouse

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.warehouse.query(sql)

    def scalar(self, sql: str) -> Any:
        return self.warehouse.query(sql)[0][0]


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    raw_dir = tmp_path_factory.mktemp("raw")
    generate(GeneratorConfig(customers=SMALL_CUSTOMERS, seed=11, end_date=DATA_END), raw_dir)
    return Dataset(raw_dir, DATA_END)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def target_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Per-session locations for every target; PostgreSQL starts on first use."""
    base = tmp_path_factory.mktemp("warehouses")
    os.environ["DUCKDB_PATH"] = str(base / "warehouse.duckdb")
    os.environ["SEGWH_SPARK_WAREHOUSE"] = str(base / "spark")
    os.environ["SEGWH_BI_DUCKDB_PATH"] = str(base / "bi.duckdb")
    # PostgreSQL's data directory lives outside pytest's temporary root: a second pytest session
    # on the machine resets that root to mode 0700, which takes the `postgres` user's way in
    postgres_base = Path(tempfile.mkdtemp(prefix="segwh-test-postgres-"))
    state: dict[str, Any] = {"base": base, "postgres_base": postgres_base, "postgres": None}
    yield state
    if state["postgres"] is not None:
        state["postgres"].stop()
    shutil.rmtree(postgres_base, ignore_errors=True)


def prepare_target(target: str, environment: dict[str, Any]) -> None:
    if target == "postgres" and environment["postgres"] is None:
        from segwh.local_postgres import LocalPostgres

        server = LocalPostgres(environment["postgres_base"] / "data", _free_port()).start()
        os.environ.update(server.env)
        environment["postgres"] = server


def build_on(target: str, dataset: Dataset, as_of_date: str, environment: dict[str, Any]) -> Build:
    """Load the dataset and run `dbt build` (models, data tests, unit tests; in two parts with
    the CLV fit between them, as `segwh build` does) on the target."""
    prepare_target(target, environment)
    warehouse = connect(target)
    try:
        load(dataset.raw_dir, warehouse)
    finally:
        warehouse.close()
    dbt_build(target, as_of_date)
    return Build(target, dataset, as_of_date, connect(target))


@pytest.fixture(scope="session")
def all_builds(request: pytest.FixtureRequest, dataset: Dataset, target_environment: dict[str, Any]) -> Iterator[dict[str, Build]]:
    """One build of the dataset as of its end date on every requested target."""
    builds: dict[str, Build] = {}
    for target in requested_targets(request.config):
        builds[target] = build_on(target, dataset, dataset.end_date.isoformat(), target_environment)
    yield builds
    for build in builds.values():
        build.warehouse.close()


@pytest.fixture(scope="session")
def built(target: str, all_builds: dict[str, Build]) -> Build:
    return all_builds[target]


@pytest.fixture(scope="session")
def dataset_rates() -> dict[str, float]:
    """Units per USD from seeds/currency_rates.csv, as the generator uses them."""
    import csv

    with (targets.PROJECT_DIR / "seeds" / "currency_rates.csv").open() as handle:
        return {row["currency_code"]: float(row["units_per_usd"]) for row in csv.DictReader(handle)}

"""The read-only BI copy (DuckDB): every marts relation and the published activation tables are
in it; a view over marts tables stays a view there and reads the copied tables when the file is
opened on its own (as a BI tool opens it), and a view that reads anything else of the warehouse
is copied as a table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from segwh import publish
from segwh.warehouse import DuckDBWarehouse


@pytest.fixture
def bi_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bi" / "bi.duckdb"
    monkeypatch.setenv("SEGWH_BI_DUCKDB_PATH", str(path))
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    try:
        for statement in [
            "create schema marts",
            "create schema activation",
            "create schema intermediate",
            "create table marts.segment_membership as select 'K' || i as customer_key, "
            "case when i % 3 = 0 then 'champions' else 'other' end as segment_name from range(30) as t(i)",
            "create table marts.customer_profile as select 'K' || i as customer_key, i as age from range(30) as t(i)",
            "create table intermediate.scratch as select 1 as one",
            "create view marts.segment_champions as select profile.* from warehouse.marts.customer_profile as profile "
            "inner join warehouse.marts.segment_membership as membership on profile.customer_key = membership.customer_key "
            "where membership.segment_name = 'champions'",
            "create view marts.reads_intermediate as select * from warehouse.intermediate.scratch",
            "create table activation.esp_audience_published as select 'a@example.com' as email",
            "create table activation.esp_audience as select 'not copied' as email",
        ]:
            warehouse.execute(statement)
        publish._publish_bi_copy(warehouse)
        # the warehouse changes after publication; the copy must not follow it
        warehouse.execute("insert into marts.customer_profile values ('K99', 99)")
        warehouse.execute("insert into marts.segment_membership values ('K99', 'champions')")
    finally:
        warehouse.close()
    return path


def test_the_bi_copy_keeps_marts_views_as_views_over_its_own_tables(bi_copy: Path) -> None:
    with duckdb.connect(str(bi_copy), read_only=True) as connection:
        kinds = dict(connection.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables").fetchall())
        champions = connection.execute("select customer_key from marts.segment_champions order by age").fetchall()
        scratch = connection.execute("select * from marts.reads_intermediate").fetchall()
    assert kinds == {
        "marts.segment_membership": "BASE TABLE",
        "marts.customer_profile": "BASE TABLE",
        "marts.segment_champions": "VIEW",
        "marts.reads_intermediate": "BASE TABLE",
        "activation.esp_audience_published": "BASE TABLE",
    }
    assert [key for (key,) in champions] == [f"K{i}" for i in range(0, 30, 3)]
    assert scratch == [(1,)]


def test_a_copied_view_reads_the_copy_under_any_attached_name(bi_copy: Path) -> None:
    with duckdb.connect() as connection:
        connection.execute(f"attach '{bi_copy}' as dashboards (read_only)")
        rows = connection.execute("select count(*) from dashboards.marts.segment_champions").fetchone()
    assert rows == (10,)


def test_a_view_reading_outside_the_marts_is_not_kept_as_a_view() -> None:
    assert publish.bi_copy_view_sql("warehouse", "CREATE VIEW marts.v AS SELECT * FROM warehouse.marts.t;") == "SELECT * FROM marts.t"
    assert publish.bi_copy_view_sql("warehouse", 'CREATE VIEW marts.v AS SELECT * FROM "warehouse"."marts".t;') == "SELECT * FROM marts.t"
    assert publish.bi_copy_view_sql("warehouse", "CREATE VIEW marts.v AS SELECT * FROM warehouse.staging.t;") is None
    assert publish.bi_copy_view_sql("warehouse", "a definition this function cannot read") is None

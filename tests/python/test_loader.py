"""The raw input contract as the loader enforces it: clear errors for missing tables, missing
columns and unparseable lines; absent tables and optional columns become empty; ids stay text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from segwh.contract import load_contract
from segwh.loader import RawInputError, load
from segwh.warehouse import DuckDBWarehouse

ORDERS_HEADER = "order_id,customer_id,email,ordered_at,amount\n"


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_only_orders_is_required_and_absent_tables_load_empty(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", ORDERS_HEADER + "0001,00042,a@b.com,2025-01-01 10:00:00,12.50\n")
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    report = load(raw, warehouse)
    rows = {table.table: table.rows for table in report.tables}
    assert rows["orders"] == 1
    assert all(count == 0 for name, count in rows.items() if name != "orders")
    assert set(warehouse.relations("raw")) == {*load_contract(), "segwh_loaded_files"}
    # ids keep their leading zeros; missing optional columns exist as nulls
    assert warehouse.query("select order_id, customer_id, currency, raw_row_number from raw.orders") == [
        ("0001", "00042", None, 1)
    ]
    columns = [row[0] for row in warehouse.query("describe raw.customers")]
    assert columns[: len(load_contract()["customers"].columns)] == list(load_contract()["customers"].column_names)
    warehouse.close()


def test_missing_required_table_names_the_file(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "customers.csv", "customer_id\nC1\n")
    with pytest.raises(RawInputError, match=r"required table 'orders' is missing \(expected orders.csv"):
        load(raw, DuckDBWarehouse(tmp_path / "w.duckdb"))


def test_missing_required_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", "order_id,customer_id,amount\n1,2,3\n")
    with pytest.raises(RawInputError, match=r"orders.csv: required column\(s\) ordered_at missing"):
        load(raw, DuckDBWarehouse(tmp_path / "w.duckdb"))


def test_orders_need_a_customer_id_or_an_email_column(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", "order_id,ordered_at,amount\n1,2025-01-01,3\n")
    with pytest.raises(RawInputError, match="orders.csv: needs at least one of the columns customer_id or email"):
        load(raw, DuckDBWarehouse(tmp_path / "w.duckdb"))


def test_a_line_that_does_not_parse_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", ORDERS_HEADER + "1,2,a@b.com,2025-01-01,3\n2,3,\"unterminated,2025-01-01,4\n")
    with pytest.raises(RawInputError, match=r"orders.csv: line 3 does not parse"):
        load(raw, DuckDBWarehouse(tmp_path / "w.duckdb"))


def test_a_row_with_too_many_fields_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", ORDERS_HEADER + "1,2,a@b.com,2025-01-01,3\n2,3,c@d.com,2025-01-01,4,extra\n")
    with pytest.raises(RawInputError, match=r"orders.csv: line 3 does not parse"):
        load(raw, DuckDBWarehouse(tmp_path / "w.duckdb"))


def test_a_bad_file_leaves_the_previous_load_untouched(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", ORDERS_HEADER + "1,2,a@b.com,2025-01-01,3\n")
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    load(raw, warehouse)
    write(raw, "customers.csv", "customer_id,email\nC1,\"broken\n")
    with pytest.raises(RawInputError):
        load(raw, warehouse)
    assert warehouse.query("select count(*) from raw.orders") == [(1,)]
    assert warehouse.query("select count(*) from raw.customers") == [(0,)]
    warehouse.close()


def test_headers_match_ignoring_case_and_extra_columns_are_reported(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write(raw, "orders.csv", "Order_ID, Customer_Id ,EMAIL,ordered_at,amount,loyalty_tier\n7,8,x@y.com,2025-01-01,1,gold\n")
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    report = load(raw, warehouse)
    orders = next(table for table in report.tables if table.table == "orders")
    assert orders.ignored_columns == ["loyalty_tier"]
    assert "currency" in orders.missing_columns
    assert warehouse.query("select order_id, customer_id, email from raw.orders") == [("7", "8", "x@y.com")]
    warehouse.close()


def test_parquet_files_load_as_text_with_row_numbers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = tmp_path / "raw"
    raw.mkdir()
    pq.write_table(
        pa.table({"order_id": ["a", "b"], "email": ["x@y.com", "z@y.com"], "ordered_at": ["2025-01-01", "2025-01-02"], "amount": [1.5, 2.0]}),
        raw / "orders.parquet",
    )
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    load(raw, warehouse)
    assert warehouse.query("select order_id, amount, raw_row_number from raw.orders order by raw_row_number") == [
        ("a", "1.5", 1),
        ("b", "2.0", 2),
    ]
    warehouse.close()


def test_rows_of_large_files_are_numbered_in_file_order(tmp_path: Path) -> None:
    """A file large enough for DuckDB to parse in parallel chunks (and a second file after it)
    is numbered exactly in line order: row n of the table is the file's n-th data line."""
    raw = tmp_path / "raw"
    lines = 1_000_000
    write(raw, "orders.csv", ORDERS_HEADER + "".join(f"{line},C{line % 97},a{line}@b.com,2025-01-01,{line % 50}.25\n"
                                                     for line in range(1, lines + 1)))
    write(raw / "orders", "2025-01-02.csv", ORDERS_HEADER + "".join(f"{line},C1,x@y.com,2025-01-02,1\n"
                                                                    for line in range(lines + 1, lines + 1001)))
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    warehouse.execute("set threads = 2")
    report = load(raw, warehouse)
    assert next(table for table in report.tables if table.table == "orders").rows == lines + 1000
    mismatched = warehouse.query("select count(*) from raw.orders where cast(order_id as bigint) <> raw_row_number")
    assert mismatched == [(0,)]
    by_file = warehouse.query("select raw_source_file, min(raw_row_number), max(raw_row_number) from raw.orders "
                              "group by raw_source_file order by 2")
    assert by_file == [("orders.csv", 1, lines), ("orders/2025-01-02.csv", lines + 1, lines + 1000)]
    warehouse.close()


def test_rows_of_a_parquet_file_with_many_row_groups_are_numbered_in_file_order(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = tmp_path / "raw"
    raw.mkdir()
    rows = 500_000
    pq.write_table(pa.table({"order_id": [str(row) for row in range(1, rows + 1)], "email": ["a@b.com"] * rows,
                             "ordered_at": ["2025-01-01"] * rows,
                             "amount": ["1.00"] * rows}), raw / "orders.parquet", row_group_size=20_000)
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    warehouse.execute("set threads = 2")
    load(raw, warehouse)
    assert warehouse.query("select count(*), count(distinct raw_row_number) from raw.orders") == [(rows, rows)]
    assert warehouse.query("select count(*) from raw.orders where cast(order_id as bigint) <> raw_row_number") == [(0,)]
    warehouse.close()


def test_readme_and_dbt_sources_match_the_contract() -> None:
    result = subprocess.run([sys.executable, "-m", "segwh", "contract"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_load_appends_new_files_and_skips_unchanged_ones(tmp_path: Path) -> None:
    """Daily loads: files already loaded and unchanged are not read again; new files in a table's
    folder are appended with row numbers continuing after the last; a changed file replaces its
    table from all its files."""
    import os

    raw = tmp_path / "raw"
    write(raw, "orders.csv", ORDERS_HEADER + "1,2,a@b.com,2025-01-01,3\n2,3,c@d.com,2025-01-02,4\n")
    write(raw, "customers.csv", "customer_id,email\nC1,a@b.com\n")
    warehouse = DuckDBWarehouse(tmp_path / "w.duckdb")
    first = load(raw, warehouse)
    modes = {table.table: table.mode for table in first.tables}
    assert modes["orders"] == "replaced" and modes["customers"] == "replaced"
    first_loaded_at = warehouse.query("select max(raw_loaded_at) from raw.orders")[0][0]

    write(raw / "orders", "2025-01-03.csv", ORDERS_HEADER + "3,4,e@f.com,2025-01-03,5\n")
    write(raw / "orders", "2025-01-04.csv", "order_id,email,ordered_at,amount\n4,g@h.com,2025-01-04,6\n")
    second = load(raw, warehouse)
    by_table = {table.table: table for table in second.tables}
    assert (by_table["orders"].mode, by_table["orders"].new_rows, by_table["orders"].rows) == ("appended", 2, 4)
    assert (by_table["customers"].mode, by_table["customers"].new_rows, by_table["customers"].rows) == ("unchanged", 0, 1)
    rows = warehouse.query("select order_id, raw_row_number, raw_source_file, raw_loaded_at > cast(? as timestamp) "
                           "from raw.orders order by raw_row_number".replace("?", f"'{first_loaded_at}'"))
    assert rows == [("1", 1, "orders.csv", False), ("2", 2, "orders.csv", False),
                    ("3", 3, "orders/2025-01-03.csv", True), ("4", 4, "orders/2025-01-04.csv", True)]

    third = load(raw, warehouse)
    assert all(table.mode == "unchanged" and table.new_rows == 0 for table in third.tables if table.source_file)
    assert warehouse.query("select count(*) from raw.orders") == [(4,)]

    # an erased row stays deleted while its file is unchanged
    warehouse.execute("delete from raw.orders where order_id = '1'")
    load(raw, warehouse)
    assert warehouse.query("select count(*) from raw.orders") == [(3,)]

    # a changed file (here: rewritten with one row more) replaces the table from all its files
    write(raw, "orders.csv", ORDERS_HEADER + "1,2,a@b.com,2025-01-01,3\n2,3,c@d.com,2025-01-02,4\n9,9,i@j.com,2025-01-02,7\n")
    os.utime(raw / "orders.csv", ns=(1, 1))
    fourth = load(raw, warehouse)
    assert next(table for table in fourth.tables if table.table == "orders").mode == "replaced"
    assert [row[0] for row in warehouse.query("select order_id from raw.orders order by raw_row_number")] == ["1", "2", "9", "3", "4"]

    full = load(raw, warehouse, full=True)
    assert all(table.mode == "replaced" for table in full.tables)
    assert warehouse.query("select count(*), max(raw_row_number) from raw.orders") == [(5, 5)]
    warehouse.close()

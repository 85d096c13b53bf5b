"""segwh: a SQL-first customer segmentation warehouse on dbt."""

__version__ = "0.1.0"

"""RFM scores and lifecycle stages recomputed in plain Python from the generated raw files, as an
independent check of the SQL. Only two things come from elsewhere: which raw rows are unusable
(the generator's planted truth) and which person an identifier belongs to (the identity marts,
tested on their own against the truth). Every rule is written here from the issue's definitions,
not from the models."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from truth import planted

COMPLETED_STATUSES = {"completed", "shipped", "delivered"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Settings:
    """The issue's default thresholds."""

    new_customer_days: int = 30
    dormant_days: int = 60
    churned_days: int = 180
    loyal_min_orders: int = 4
    loyal_email_window_days: int = 90
    loyal_min_emails: int = 5
    loyal_open_rate: Decimal = Decimal("0.8")


@dataclass(frozen=True)
class RfmRow:
    customer_key: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    rfm_cell: str
    rfm_segment: str


def _read(raw_dir: Path, table: str) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / f"{table}.csv", dtype=str, keep_default_na=False)
    frame["raw_row_number"] = range(1, len(frame) + 1)
    return frame


def _utc(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts.replace("", None), utc=True, format="mixed", errors="coerce")


def _without_planted(frame: pd.DataFrame, truth_dir: Path, table: str, behaviours: Iterable[str]) -> pd.DataFrame:
    unusable: set[int] = set()
    for behaviour in behaviours:
        unusable |= set(planted(truth_dir, behaviour, table).raw_row_number)
    return frame[~frame.raw_row_number.isin(unusable)]


class Reference:
    def __init__(self, raw_dir: Path, truth_dir: Path, as_of: date, key_of: Callable[[str, str], str | None],
                 settings: Settings = Settings()) -> None:
        self.raw_dir = raw_dir
        self.truth_dir = truth_dir
        self.as_of = as_of
        self.end = pd.Timestamp(datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc))
        self.key_of = key_of
        self.settings = settings

    def days_since(self, day: date) -> int:
        return (self.as_of - day).days

    # ------------------------------------------------------------------------------ inputs

    def qualifying_orders(self) -> pd.DataFrame:
        """customer_key, ordered_date, net_revenue (Decimal) of each qualifying order."""
        orders = _read(self.raw_dir, "orders")
        orders = _without_planted(orders, self.truth_dir, "orders",
                                  ("null_id", "negative_amount", "unparseable_amount", "invalid_timestamp"))
        orders = orders.assign(ordered_at=_utc(orders.ordered_at), updated_at=_utc(orders.updated_at))
        on_time = (orders.ordered_at < self.end) & (orders.updated_at.isna() | (orders.updated_at < self.end))
        orders = orders[on_time]
        latest = orders.sort_values(["updated_at", "raw_row_number"], na_position="first").groupby("order_id").tail(1)
        rates = self._rates()
        rows = []
        for order in latest.itertuples():
            rate = rates[order.currency or "USD"]
            amount = (Decimal(order.amount) * rate).quantize(CENT, ROUND_HALF_UP)
            refunded = (Decimal(order.refunded_amount or "0") * rate).quantize(CENT, ROUND_HALF_UP)
            status = (order.status or "completed").strip().lower()
            fully_refunded = refunded >= amount and refunded > 0
            if status not in COMPLETED_STATUSES or fully_refunded:
                continue
            key = self.key_of("customer_id", order.customer_id) or self.key_of("email", order.email.strip().lower())
            rows.append((key, order.ordered_at.date(), max(amount - refunded, Decimal(0))))
        return pd.DataFrame(rows, columns=["customer_key", "ordered_date", "net_revenue"])

    def _rates(self) -> dict[str, Decimal]:
        seeds = Path(__file__).resolve().parents[2] / "seeds"
        with (seeds / "currency_rates.csv").open() as handle:
            units = {row["currency_code"]: Decimal(row["units_per_usd"]) for row in csv.DictReader(handle)}
        return {code: (units["USD"] / per_usd).quantize(Decimal("1e-10"), ROUND_HALF_UP) for code, per_usd in units.items()}

    def signup_dates(self) -> dict[str, date]:
        customers = _read(self.raw_dir, "customers")
        customers = customers[customers.customer_id.str.strip() != ""]
        customers = customers.assign(signed_up_at=_utc(customers.signed_up_at), updated_at=_utc(customers.updated_at))
        on_time = (customers.signed_up_at < self.end) & (customers.updated_at.isna() | (customers.updated_at < self.end))
        customers = customers[on_time]
        latest = customers.sort_values(["updated_at", "raw_row_number"], na_position="first").groupby("customer_id").tail(1)
        signups: dict[str, date] = {}
        for customer in latest.itertuples():
            key = self.key_of("customer_id", customer.customer_id.strip())
            if key is not None:
                day = customer.signed_up_at.date()
                signups[key] = min(day, signups.get(key, day))
        return signups

    def web_event_dates(self) -> dict[str, date]:
        """Latest web event date per person."""
        events = _read(self.raw_dir, "web_events")
        events = events[events.event_id.str.strip() != ""]
        occurred, received = _utc(events.occurred_at), _utc(events.received_at)
        events = events.assign(occurred_at=occurred)[(occurred < self.end) & (received.isna() | (received < self.end))]
        latest: dict[str, date] = {}
        for event in events.itertuples():
            key = (self.key_of("customer_id", event.customer_id.strip())
                   or self.key_of("email", event.email.strip().lower())
                   or self.key_of("anonymous_id", event.anonymous_id.strip()))
            if key is not None:
                day = event.occurred_at.date()
                latest[key] = max(day, latest.get(key, day))
        return latest

    def email_events(self) -> pd.DataFrame:
        """customer_key, message_id, event_type, event_date of usable email events."""
        events = _read(self.raw_dir, "email_events")
        occurred, received = _utc(events.occurred_at), _utc(events.received_at)
        events = events.assign(occurred_at=occurred)[(occurred < self.end) & (received.isna() | (received < self.end))]
        rows = []
        for event in events.itertuples():
            key = (self.key_of("email", event.email.strip().lower())
                   or self.key_of("subscriber_id", event.subscriber_id.strip()))
            if key is not None:
                rows.append((key, event.message_id, event.event_type.strip().lower(), event.occurred_at.date()))
        return pd.DataFrame(rows, columns=["customer_key", "message_id", "event_type", "event_date"])

    # ------------------------------------------------------------------------------ RFM

    def rfm(self) -> dict[str, RfmRow]:
        orders = self.qualifying_orders()
        per_customer = {
            key: (self.days_since(max(group.ordered_date)), len(group), sum(group.net_revenue, Decimal(0)))
            for key, group in orders.groupby("customer_key")
        }
        n = len(per_customer)
        recencies = [values[0] for values in per_customer.values()]
        frequencies = [values[1] for values in per_customer.values()]
        monetaries = [values[2] for values in per_customer.values()]
        segments = self._segment_map()
        rows = {}
        for key, (recency, frequency, monetary) in per_customer.items():
            # rank(): 1 + how many rows come strictly before; recency ranks descending
            r = score(1 + sum(1 for other in recencies if other > recency), n)
            f = score(1 + sum(1 for other in frequencies if other < frequency), n)
            m = score(1 + sum(1 for other in monetaries if other < monetary), n)
            rows[key] = RfmRow(key, recency, frequency, monetary, r, f, m, f"{r}{f}{m}", segments[(r, f)])
        return rows

    @staticmethod
    def _segment_map() -> dict[tuple[int, int], str]:
        seeds = Path(__file__).resolve().parents[2] / "seeds"
        with (seeds / "rfm_segment_map.csv").open() as handle:
            return {(int(row["r_score"]), int(row["f_score"])): row["rfm_segment"] for row in csv.DictReader(handle)}

    # ------------------------------------------------------------------------------ lifecycle

    def lifecycle(self, customer_keys: Iterable[str]) -> dict[str, str]:
        settings = self.settings
        orders = self.qualifying_orders()
        order_count = orders.groupby("customer_key").size().to_dict()
        first_order = orders.groupby("customer_key").ordered_date.min().to_dict()
        last_order = orders.groupby("customer_key").ordered_date.max().to_dict()
        signups = self.signup_dates()
        last_web = self.web_event_dates()
        emails = self.email_events()
        engaged = emails[emails.event_type.isin(["open", "click"])]
        last_email = engaged.groupby("customer_key").event_date.max().to_dict()
        window_start = self.as_of - timedelta(days=settings.loyal_email_window_days)
        delivered = emails[(emails.event_type == "delivered") & (emails.event_date >= window_start)]
        delivered = delivered[["customer_key", "message_id"]].drop_duplicates()
        opened = emails[emails.event_type == "open"][["customer_key", "message_id"]].drop_duplicates()
        opened_delivered = delivered.merge(opened, on=["customer_key", "message_id"])
        delivered_count = delivered.groupby("customer_key").size().to_dict()
        opened_count = opened_delivered.groupby("customer_key").size().to_dict()

        stages = {}
        for key in customer_keys:
            orders_count = int(order_count.get(key, 0))
            activity = [day for day in (last_order.get(key), last_web.get(key), last_email.get(key)) if day is not None]
            last_activity = max(activity) if activity else None
            signup = signups.get(key)
            emails_delivered = int(delivered_count.get(key, 0))
            emails_opened = int(opened_count.get(key, 0))
            if orders_count > 0 and self.days_since(first_order[key]) < settings.new_customer_days:
                stage = "new"
            elif orders_count == 0 and signup is not None and self.days_since(signup) < settings.new_customer_days:
                stage = "new"
            elif orders_count == 0:
                stage = "prospect"
            elif last_activity is None or self.days_since(last_activity) >= settings.churned_days:
                stage = "churned"
            elif self.days_since(last_activity) >= settings.dormant_days:
                stage = "dormant"
            elif orders_count >= settings.loyal_min_orders or (
                emails_delivered >= settings.loyal_min_emails
                and Decimal(emails_opened) > settings.loyal_open_rate * emails_delivered
            ):
                stage = "loyal"
            else:
                stage = "active"
            stages[key] = stage
        return stages


def score(rank: int, n: int) -> int:
    """least(5, 1 + floor(5 * (rank - 1) / (n - 1))); 1 when n = 1."""
    if n <= 1:
        return 1
    return min(5, 1 + (5 * (rank - 1)) // (n - 1))

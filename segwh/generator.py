"""Deterministic, vectorised generator of realistic raw customer data with planted ground truth.

`generate(GeneratorConfig(customers=20_000, seed=42), out_dir)` writes one file per raw table
(see raw_contract.yml), `dataset.json` (the data's end date, used as `as_of_date` for the demo)
and `_truth/`:
  persons.parquet  one row per true person with their true attributes and planted states
  records.parquet  the true person behind every raw row (table, raw_row_number, person_id)
  planted.parquet  every planted behaviour and mess (table, raw_row_number, person_id,
                   behaviour, detail, at)

Behaviour: purchases follow a BG/NBD process (gamma purchase rates, beta dropout) thinned by a
mild seasonality; heavy-tailed basket values; browsing sessions before purchases and without
them (abandoned carts); weekly email campaigns whose opens fade; consent granted, confirmed,
withdrawn and re-given; unsubscribes, bounces, complaints and erasure requests.
Mess: several CRM records per person (email case and white-space variants, second accounts,
phone formats), guest checkouts, malformed emails, null ids, future-dated rows, negative and
unparseable amounts, invalid timestamps, order and CRM record versions, duplicate event
deliveries, late-arriving events, and over-merge traps (family emails, kiosk devices,
placeholder phones, test addresses).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DAY = 86_400
EPOCH = datetime(1970, 1, 1)

COUNTRIES = np.array(["US", "GB", "DE", "FR", "CA", "AU", "NL"])
COUNTRY_WEIGHTS = np.array([0.45, 0.15, 0.10, 0.08, 0.08, 0.07, 0.07])
COUNTRY_CURRENCY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "CA": "CAD", "AU": "AUD", "NL": "EUR"}
# units of the order currency per USD; must match seeds/currency_rates.csv
CURRENCY_PER_USD = {"USD": 1.0, "GBP": 0.79, "EUR": 0.92, "CAD": 1.36, "AUD": 1.52}
COUNTRY_LANGUAGE = {"US": "en", "GB": "en", "DE": "de", "FR": "fr", "CA": "en", "AU": "en", "NL": "nl"}
COUNTRY_CALLING_CODE = {"US": "1", "GB": "44", "DE": "49", "FR": "33", "CA": "1", "AU": "61", "NL": "31"}
REGIONS = {
    "US": [("CA", "Los Angeles", "900"), ("CA", "San Francisco", "941"), ("NY", "New York", "100"), ("TX", "Austin", "787"), ("WA", "Seattle", "981")],
    "GB": [("England", "London", "SW1"), ("England", "Manchester", "M1"), ("Scotland", "Edinburgh", "EH1")],
    "DE": [("Berlin", "Berlin", "101"), ("Bayern", "Munich", "803"), ("Hamburg", "Hamburg", "201")],
    "FR": [("Ile-de-France", "Paris", "750"), ("Auvergne-Rhone-Alpes", "Lyon", "690")],
    "CA": [("ON", "Toronto", "M5V"), ("BC", "Vancouver", "V6B"), ("QC", "Montreal", "H2X")],
    "AU": [("NSW", "Sydney", "200"), ("VIC", "Melbourne", "300")],
    "NL": [("Noord-Holland", "Amsterdam", "101"), ("Zuid-Holland", "Rotterdam", "301")],
}
FIRST_NAMES = np.array(
    "james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan joseph "
    "jessica thomas sarah charles karen daniel nancy matthew lisa anthony betty mark sandra paul ashley steven "
    "kimberly andrew emily joshua donna kevin michelle brian carol george amanda timothy melissa ronald deborah "
    "jason stephanie edward rebecca jeffrey sharon ryan laura jacob cynthia lukas emma noah sophie leon mia "
    "hugo lea finn anna".split()
)
LAST_NAMES = np.array(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson "
    "anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis "
    "robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall "
    "rivera campbell mitchell carter roberts muller schmidt schneider fischer weber meyer wagner becker dubois "
    "bernard devries jansen".split()
)
DOMAINS = np.array(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me", "web.de", "orange.fr"])
CATEGORIES = np.array(["electronics", "apparel", "beauty", "home", "sports", "books", "toys", "grocery"])
CATEGORY_PRICE = np.array([180.0, 55.0, 28.0, 70.0, 60.0, 18.0, 32.0, 12.0])
CATEGORY_MARGIN = np.array([0.15, 0.50, 0.60, 0.40, 0.35, 0.30, 0.40, 0.20])
CATEGORY_WEIGHTS = np.array([0.12, 0.22, 0.14, 0.14, 0.12, 0.10, 0.08, 0.08])
DEVICE_TYPES = np.array(["desktop", "mobile", "tablet", "app"])
TOPICS = np.array(["new_arrivals", "sale", "blog", "events", "recommendations"])
FREQUENCIES = np.array(["daily", "weekly", "monthly"])
TABLE_ORDER = ("orders", "order_items", "products", "customers", "web_events", "email_events",
               "consent_events", "erasure_requests", "preferences")
CONSENT_METHODS = np.array(["double_opt_in_confirmed", "single_opt_in", "imported", "double_opt_in_pending"])


@dataclass(frozen=True)
class GeneratorConfig:
    customers: int = 20_000
    seed: int = 42
    end_date: date = field(default_factory=lambda: datetime.now(timezone.utc).date())
    history_days: int = 730
    file_format: str = "csv"


@dataclass
class GenerationSummary:
    out_dir: Path
    end_date: date
    rows: dict[str, int]
    seconds: float


class _Truth:
    """Collects ground truth while one shard is built; person ids and raw row numbers are shifted
    by the shard's offsets so they are global."""

    def __init__(self, person_offset: int, row_offsets: dict[str, int]) -> None:
        self.person_offset = person_offset
        self.row_offsets = row_offsets
        self.records: list[pa.Table] = []
        self.planted: list[pa.Table] = []

    def add_records(self, table: str, person: np.ndarray) -> None:
        n = len(person)
        self.records.append(
            pa.table(
                {
                    "table_name": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int8)), pa.array([table])),
                    "raw_row_number": pa.array(np.arange(1, n + 1, dtype=np.int64) + self.row_offsets[table]),
                    "person_id": pa.array(person.astype(np.int64) + self.person_offset),
                }
            )
        )

    def plant(self, table: str | None, rows: np.ndarray | None, person: np.ndarray, behaviour: str,
              at: np.ndarray | None = None, detail: np.ndarray | None = None) -> None:
        n = len(person)
        if n == 0:
            return
        offset = self.row_offsets[table] if table is not None else 0
        self.planted.append(
            pa.table(
                {
                    "table_name": pa.array(np.full(n, table, dtype=object), type=pa.string()),
                    "raw_row_number": pa.array(rows.astype(np.int64) + offset if rows is not None else np.zeros(n, np.int64),
                                               mask=None if rows is not None else np.ones(n, bool)),
                    "person_id": pa.array(person.astype(np.int64) + self.person_offset),
                    "behaviour": pa.array(np.full(n, behaviour, dtype=object), type=pa.string()),
                    "detail": pa.array(detail if detail is not None else np.full(n, None, dtype=object), type=pa.string()),
                    "at": _ts(at) if at is not None else pa.nulls(n, pa.timestamp("s")),
                }
            )
        )


class _Writers:
    """Appends each raw table and each truth table shard by shard, so memory stays bounded."""

    def __init__(self, out_dir: Path, file_format: str) -> None:
        self.out_dir = out_dir
        self.file_format = file_format
        self.open: dict[str, object] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, table: pa.Table, truth: bool = False) -> int:
        if name not in self.open:
            if truth:
                self.open[name] = pq.ParquetWriter(self.out_dir / "_truth" / f"{name}.parquet", table.schema)
            elif self.file_format == "parquet":
                self.open[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema)
            else:
                options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
                self.open[name] = pacsv.CSVWriter(self.out_dir / f"{name}.csv", table.schema, write_options=options)
        self.open[name].write_table(table)  # type: ignore[attr-defined]
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        return table.num_rows

    def close(self) -> None:
        for writer in self.open.values():
            writer.close()  # type: ignore[attr-defined]


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64), type=pa.timestamp("s"))


def _fmt_ts(seconds: np.ndarray, style: str = "space") -> pa.Array:
    """Timestamps as text: 'space' = 'YYYY-MM-DD HH:MM:SS' (no offset), 'iso_z' = ISO-8601 with Z."""
    text = pc.cast(_ts(seconds), pa.string())
    if style == "iso_z":
        return pc.binary_join_element_wise(pc.replace_substring(text, " ", "T"), pa.scalar("Z"), "")
    return text


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers.astype(np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _pick(labels: np.ndarray, index: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), pa.array(labels)).cast(pa.string())


def _money(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.round(values, 2)), pa.string())


def _with_nulls(arr: pa.Array, null_mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(null_mask), pa.nulls(len(arr), arr.type), arr)


def _replace(arr: pa.Array, mask: np.ndarray, value: str | pa.Array) -> pa.Array:
    replacement = value if isinstance(value, pa.Array) else pa.array(np.full(len(arr), value, dtype=object), type=pa.string())
    return pc.if_else(pa.array(mask), replacement, arr)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts per owner, the owner index and the 0-based position of each expanded row."""
    owners = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return owners, np.arange(len(owners)) - starts


def _season(seconds: np.ndarray) -> np.ndarray:
    """Relative purchase intensity by day of year: a mild peak in November and December."""
    day_of_year = (seconds // DAY) % 365.25
    return 1.0 + 0.15 * np.cos(2 * np.pi * (day_of_year - 340) / 365.25)


SHARD_SIZE = 100_000


@dataclass
class _Offsets:
    """Where the next shard's ids and raw rows start."""

    person: int = 0
    crm_record: int = 0
    order: int = 0
    event: int = 0
    session: int = 0
    message: int = 0
    device: int = 0
    family_group: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def generate(config: GeneratorConfig, out_dir: Path) -> GenerationSummary:
    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "_truth").mkdir(exist_ok=True)
    for name in TABLE_ORDER:
        for suffix in (".csv", ".parquet"):
            (out_dir / f"{name}{suffix}").unlink(missing_ok=True)
    end_day = config.end_date
    end = int((datetime(end_day.year, end_day.month, end_day.day) - EPOCH).total_seconds()) + DAY  # exclusive
    start = end - config.history_days * DAY
    catalogue = _catalogue(np.random.default_rng([config.seed, 1_000_000_007]), config.customers, start)
    writers = _Writers(out_dir, config.file_format)
    writers.write("products", catalogue.table)
    offsets = _Offsets(rows={name: 0 for name in TABLE_ORDER})
    try:
        shard = 0
        while offsets.person < config.customers:
            size = min(SHARD_SIZE, config.customers - offsets.person)
            _generate_shard(config, np.random.default_rng([config.seed, shard]), size, catalogue, offsets, writers)
            offsets.person += size
            shard += 1
    finally:
        writers.close()
    row_counts = {name: writers.rows.get(name, 0) for name in TABLE_ORDER}
    metadata = {
        "generator": "segwh",
        "seed": config.seed,
        "customers": config.customers,
        "history_days": config.history_days,
        "end_date": config.end_date.isoformat(),
        "as_of_date": config.end_date.isoformat(),
        "file_format": config.file_format,
        "rows": row_counts,
    }
    (out_dir / "dataset.json").write_text(json.dumps(metadata, indent=2) + "\n")
    return GenerationSummary(out_dir, config.end_date, row_counts, time.monotonic() - started)


@dataclass
class _Catalogue:
    table: pa.Table
    category: np.ndarray
    price: np.ndarray
    by_category: list[np.ndarray]


def _catalogue(rng: np.random.Generator, customers: int, start: int) -> _Catalogue:
    n_products = int(np.clip(customers // 50, 100, 5000))
    product_category = rng.choice(len(CATEGORIES), size=n_products, p=CATEGORY_WEIGHTS)
    product_price = np.round(CATEGORY_PRICE[product_category] * rng.lognormal(0, 0.55, n_products), 2) + 0.99
    product_cost = np.round(product_price * (1 - CATEGORY_MARGIN[product_category]) * rng.uniform(0.9, 1.1, n_products), 2)
    table = pa.table({
        "product_id": _ids("SKU", np.arange(1, n_products + 1), 6),
        "product_name": pc.binary_join_element_wise(
            _pick(CATEGORIES, product_category), pc.cast(pa.array(np.arange(1, n_products + 1)), pa.string()), " item "
        ),
        "category": _pick(CATEGORIES, product_category),
        "price": _money(product_price),
        "cost": _money(product_cost),
        "updated_at": _fmt_ts(np.full(n_products, start - 30 * DAY) + rng.integers(0, DAY, n_products)),
    })
    by_category = [np.nonzero(product_category == c)[0] for c in range(len(CATEGORIES))]
    return _Catalogue(table, product_category, product_price, by_category)


def _generate_shard(config: GeneratorConfig, rng: np.random.Generator, n: int, catalogue: _Catalogue,
                    offsets: _Offsets, writers: _Writers) -> None:
    """One shard of `n` people with everything they did, appended to the writers."""
    truth = _Truth(offsets.person, offsets.rows)
    row_counts: dict[str, int] = {}
    end_day = config.end_date
    end = int((datetime(end_day.year, end_day.month, end_day.day) - EPOCH).total_seconds()) + DAY  # exclusive
    data_end = end - 3 * 3600  # nothing after 21:00 on the end date
    start = end - config.history_days * DAY
    product_category, product_price, products_by_category = catalogue.category, catalogue.price, catalogue.by_category
    n_products = len(product_price)

    # ---------------------------------------------------------------- persons
    pid = np.arange(n)
    country_idx = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS)
    country = COUNTRIES[country_idx]
    first_idx = rng.integers(0, len(FIRST_NAMES), n)
    last_idx = rng.integers(0, len(LAST_NAMES), n)
    domain_idx = rng.integers(0, len(DOMAINS), n)
    region_pick = rng.integers(0, 1000, n)
    signup = (start - 365 * DAY + ((config.history_days + 365) * DAY * rng.random(n) ** 0.8)).astype(np.int64)
    signup = np.minimum(signup, data_end - 3600)
    has_phone = rng.random(n) < 0.7
    national = rng.integers(2_000_000_000, 9_999_999_999, n, dtype=np.int64)
    birth_known = rng.random(n) < 0.55
    birth_day = (end // DAY) - rng.integers(18 * 365, 80 * 365, n)
    gender_idx = rng.choice(3, size=n, p=[0.48, 0.48, 0.04])
    pref_hour = np.clip(np.round(rng.normal(19, 3, n)), 6, 23).astype(np.int64)
    fav_category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_WEIGHTS)

    is_guest = rng.random(n) < 0.10  # never had a CRM record: orders by email only
    first_names = FIRST_NAMES[first_idx]
    last_names = LAST_NAMES[last_idx]
    true_email = np.char.add(
        np.char.add(np.char.add(np.char.add(first_names, "."), last_names), (pid + offsets.person).astype(str)),
        np.char.add("@", DOMAINS[domain_idx]),
    )
    region = np.empty(n, dtype=object)
    city = np.empty(n, dtype=object)
    postal = np.empty(n, dtype=object)
    for c in COUNTRIES:
        members = np.nonzero(country == c)[0]
        options = REGIONS[c]
        choice = region_pick[members] % len(options)
        region[members] = np.array([o[0] for o in options], dtype=object)[choice]
        city[members] = np.array([o[1] for o in options], dtype=object)[choice]
        postal[members] = np.char.add(np.array([o[2] for o in options])[choice], (pid[members] % 90 + 10).astype(str))
    calling = np.array([COUNTRY_CALLING_CODE[c] for c in COUNTRIES])[country_idx]
    true_phone = np.char.add(np.char.add("+", calling), national.astype(str))

    # ---------------------------------------------------------------- purchases (BG/NBD + seasonality)
    lam = np.minimum(rng.gamma(0.55, 1 / 55.0, n), 0.15)  # purchases per day while alive
    dropout = rng.beta(0.7, 2.8, n)
    first_buy = np.maximum(signup, start) + (rng.exponential(25, n) * DAY).astype(np.int64)
    is_buyer = (rng.random(n) < 0.72) | is_guest
    is_buyer &= first_buy < data_end
    is_guest &= is_buyer
    buy_person = [np.nonzero(is_buyer)[0]]
    buy_time = [first_buy[is_buyer]]
    current = first_buy.astype(np.float64)
    active = is_buyer & (rng.random(n) >= dropout)
    peak = 1.15
    for _ in range(600):
        idx = np.nonzero(active)[0]
        if len(idx) == 0:
            break
        current[idx] += rng.exponential(1.0 / (lam[idx] * peak)) * DAY
        gone = current[idx] >= data_end
        active[idx[gone]] = False
        idx = idx[~gone]
        accepted = rng.random(len(idx)) < _season(current[idx]) / peak
        bought = idx[accepted]
        buy_person.append(bought)
        buy_time.append(current[bought].astype(np.int64))
        dies = rng.random(len(bought)) < dropout[bought]
        active[bought[dies]] = False
    order_person = np.concatenate(buy_person)
    order_time = np.concatenate(buy_time)
    sort = np.lexsort((order_person, order_time))
    order_person, order_time = order_person[sort], order_time[sort]
    n_orders = len(order_person)
    orders_per_person = np.bincount(order_person, minlength=n)

    # ---------------------------------------------------------------- CRM records
    crm_person_mask = ~is_guest
    extra_records = rng.choice(3, size=n, p=[0.88, 0.10, 0.02]) * crm_person_mask
    records_per_person = crm_person_mask.astype(np.int64) + extra_records
    rec_person, rec_pos = _expand(records_per_person)
    n_rec = len(rec_person)
    rec_customer_num = rng.permutation(n_rec) + 100_001 + offsets.crm_record
    primary_record = np.full(n, -1, dtype=np.int64)
    primary_record[rec_person[rec_pos == 0]] = np.nonzero(rec_pos == 0)[0]
    # variants of additional records: 0 same email with case/space variant, 1 other email + same phone,
    # 2 other email, linked only through a logged-in web session (a chain)
    rec_variant = np.where(rec_pos == 0, -1, rng.choice(3, size=n_rec, p=[0.5, 0.3, 0.2]))
    rec_variant = np.where((rec_variant == 1) & ~has_phone[rec_person], 0, rec_variant)
    # a second account's address is the person's own and unique (the record number keeps strangers apart)
    alt_email = np.char.add(np.char.add(np.char.add(first_names[rec_person], last_names[rec_person]), rec_customer_num.astype(str)),
                            np.char.add(".alt@", DOMAINS[(domain_idx[rec_person] + 1) % len(DOMAINS)]))
    rec_email = np.where(rec_variant >= 1, alt_email, true_email[rec_person]).astype(object)
    rec_email_is_alt = rec_variant >= 1
    rec_phone_known = has_phone[rec_person] & ((rec_variant != 2) & ((rec_variant == 1) | (rng.random(n_rec) < 0.75)))
    rec_signup = np.where(rec_pos == 0, signup[rec_person], signup[rec_person] + rng.integers(DAY, 200 * DAY, n_rec))
    rec_signup = np.minimum(rec_signup, data_end - 600)

    # cosmetic variants that normalisation must undo
    u = rng.random(n_rec)
    upper = u < 0.06
    spaced = (u >= 0.06) & (u < 0.10)
    rec_email[upper] = np.char.upper(rec_email[upper].astype(str))
    rec_email[spaced] = np.char.add(np.char.add("  ", rec_email[spaced].astype(str)), " ")
    # over-merge traps and junk, in fixed shares of the single-record people (at least a few each)
    singles = rng.permutation(np.nonzero((rec_pos == 0) & (records_per_person[rec_person] == 1))[0])
    share = lambda fraction, least: max(least, int(fraction * n_rec))  # noqa: E731
    n_test, n_role, n_family, n_placeholder = share(0.002, 2), share(0.001, 2), share(0.008, 8) // 4 * 4, share(0.003, 3)
    cut = np.cumsum([n_test, n_role, n_family, n_placeholder])
    test_email = np.zeros(n_rec, bool)
    test_email[singles[: cut[0]]] = True
    rec_email[test_email] = "test@example.com"
    role_email = np.zeros(n_rec, bool)
    role_email[singles[cut[0]: cut[1]]] = True
    rec_email[role_email] = np.char.add("info@", np.char.add(last_names[rec_person[role_email]], "-shop.com"))
    family_candidates = np.sort(singles[cut[1]: cut[2]])
    family_group = np.arange(len(family_candidates)) // 4 + offsets.family_group
    rec_email[family_candidates] = np.char.add(np.char.add("family.", last_names[rec_person[family_candidates[(family_group - offsets.family_group) * 4]]]),
                                               np.char.add(family_group.astype(str), "@gmail.com"))
    placeholder_phone = np.zeros(n_rec, bool)
    placeholder_phone[singles[cut[2]: cut[3]]] = True
    malformed = (rng.random(n_rec) < 0.015) & ~test_email & ~role_email & ~np.isin(np.arange(n_rec), family_candidates)
    bad_kind = rng.integers(0, 5, n_rec)
    clean = np.char.strip(np.char.lower(rec_email[malformed].astype(str)))
    local = np.array([e.split("@")[0] for e in clean], dtype=object)
    dom = np.array([e.split("@")[1] if "@" in e else "x.com" for e in clean], dtype=object)
    kinds = bad_kind[malformed]
    broken = np.where(kinds == 0, local + "@" + np.array([d.split(".")[0] for d in dom], dtype=object),  # no TLD
             np.where(kinds == 1, local + "@@" + dom,
             np.where(kinds == 2, local + "." + dom,  # no @
             np.where(kinds == 3, local + " x@" + dom,  # space inside
                      local + "@" + dom + ".")))).astype(object)  # trailing dot
    rec_email[malformed] = broken
    null_email = (rng.random(n_rec) < 0.03) & ~malformed & ~test_email & ~role_email & (rec_pos == 0)
    null_email &= ~np.isin(np.arange(n_rec), family_candidates)

    phone_style = rng.integers(0, 5, n_rec)
    rp = rec_person
    phone_text = _format_phones(true_phone[rp], calling[rp], national[rp], phone_style)
    phone_text = np.where(placeholder_phone, "0000000000", phone_text).astype(object)
    phone_present = rec_phone_known | placeholder_phone

    customers_cols = {
        "customer_id": _ids("C", rec_customer_num, 7),
        "email": _with_nulls(pa.array(rec_email, type=pa.string()), null_email),
        "phone": _with_nulls(pa.array(phone_text, type=pa.string()), ~phone_present),
        "first_name": pa.array(np.char.capitalize(first_names[rp]).astype(object), type=pa.string()),
        "last_name": pa.array(np.char.capitalize(last_names[rp]).astype(object), type=pa.string()),
        "signed_up_at": _fmt_ts(rec_signup),
        "country": pa.array(country[rp].astype(object), type=pa.string()),
        "region": pa.array(region[rp], type=pa.string()),
        "city": pa.array(city[rp], type=pa.string()),
        "postal_code": pa.array(postal[rp], type=pa.string()),
        "birth_date": _with_nulls(pc.cast(pa.array(birth_day[rp].astype("datetime64[D]")), pa.string()), ~birth_known[rp]),
        "gender": _with_nulls(_pick(np.array(["female", "male", "other"]), gender_idx[rp]), ~(rng.random(n_rec) < 0.5)),
        "language": pa.array(np.array([COUNTRY_LANGUAGE[c] for c in COUNTRIES])[country_idx[rp]].astype(object), type=pa.string()),
        "updated_at": _fmt_ts(np.minimum(rec_signup + rng.integers(0, 30 * DAY, n_rec), data_end - 60)),
    }
    customers = pa.table(customers_cols)
    customers_person = rec_person.copy()
    # older versions of some records (an old city), written after the newer row half of the time
    old_version = np.nonzero(rng.random(n_rec) < 0.04)[0]
    old_rows = customers.take(pa.array(old_version))
    old_rows = old_rows.set_column(old_rows.schema.get_field_index("city"), "city", pa.array(np.full(len(old_version), "Oldtown", dtype=object), type=pa.string()))
    old_rows = old_rows.set_column(old_rows.schema.get_field_index("updated_at"), "updated_at", _fmt_ts(rec_signup[old_version] - 3600))
    # rows with no customer id (unusable)
    null_id = np.nonzero(rng.random(n_rec) < 0.003)[0]
    null_rows = customers.take(pa.array(null_id))
    null_rows = null_rows.set_column(0, "customer_id", pa.nulls(len(null_id), pa.string()))
    customers = pa.concat_tables([customers, old_rows, null_rows])
    customers_person = np.concatenate([rec_person, rec_person[old_version], rec_person[null_id]])
    # shuffle file order so versions are not in time order
    order = rng.permutation(len(customers_person))
    customers = customers.take(pa.array(order))
    customers_person = customers_person[order]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(1, len(order) + 1)
    truth.add_records("customers", customers_person)
    n_base = n_rec
    # copies (older versions, id-less rows) of a malformed record carry the malformed email too
    copies = np.concatenate([old_version, null_id])
    copy_rows = n_rec + np.arange(len(copies))
    malformed_rows = np.concatenate([np.nonzero(malformed)[0], copy_rows[malformed[copies]]])
    malformed_source = np.concatenate([np.nonzero(malformed)[0], copies[malformed[copies]]])
    truth.plant("customers", position[malformed_rows], rec_person[malformed_source], "malformed_email",
                detail=rec_email[malformed_source].astype(object))
    truth.plant("customers", position[n_base + len(old_version) + np.arange(len(null_id))], rec_person[null_id], "null_id")
    truth.plant("customers", position[n_base + np.arange(len(old_version))], rec_person[old_version], "superseded_version")
    second = np.nonzero(rec_pos > 0)[0]
    truth.plant("customers", position[second], rec_person[second], "crm_duplicate",
                detail=np.array(["same_email_variant", "other_email_same_phone", "other_email_web_link"], dtype=object)[rec_variant[second]])
    truth.plant("customers", position[np.nonzero(test_email)[0]], rec_person[test_email], "test_email")
    truth.plant("customers", position[np.nonzero(role_email)[0]], rec_person[role_email], "role_email")
    truth.plant("customers", position[family_candidates], rec_person[family_candidates], "family_email",
                detail=np.char.add("group", family_group.astype(str)).astype(object))
    truth.plant("customers", position[np.nonzero(placeholder_phone)[0]], rec_person[placeholder_phone], "placeholder_phone")

    # the record an account-holder uses: primary, or sometimes a second account
    usable_email = ~(malformed | test_email | role_email | null_email) & ~np.isin(np.arange(n_rec), family_candidates)
    person_email = true_email.astype(object)  # what the person types at checkout and the ESP knows

    # ---------------------------------------------------------------- orders
    op = order_person
    n_items = 1 + rng.poisson(0.7, n_orders)
    item_order, item_pos = _expand(n_items)
    own_category = rng.random(len(item_order)) < 0.7
    cat = np.where(own_category, fav_category[op[item_order]], rng.choice(len(CATEGORIES), size=len(item_order), p=CATEGORY_WEIGHTS))
    item_product = np.empty(len(item_order), dtype=np.int64)
    for c in range(len(CATEGORIES)):
        members = np.nonzero(cat == c)[0]
        item_product[members] = products_by_category[c][rng.integers(0, len(products_by_category[c]), len(members))]
    # one row per product in an order: drop repeated products within the same order
    key = item_order.astype(np.int64) * (n_products + 1) + item_product
    _, first_of_key = np.unique(key, return_index=True)
    keep = np.zeros(len(key), bool)
    keep[first_of_key] = True
    item_order, item_product = item_order[keep], item_product[keep]
    quantity = np.where(rng.random(len(item_order)) < 0.85, 1, rng.integers(2, 4, len(item_order)))
    order_currency = np.array([COUNTRY_CURRENCY[c] for c in COUNTRIES])[country_idx[op]]
    rate = np.array([CURRENCY_PER_USD[COUNTRY_CURRENCY[c]] for c in COUNTRIES])[country_idx[op]]
    unit_price = np.round(product_price[item_product] * rate[item_order], 2)
    amount = np.round(np.bincount(item_order, weights=unit_price * quantity, minlength=n_orders), 2)

    status_draw = rng.random(n_orders)
    status_idx = np.select(
        [status_draw < 0.70, status_draw < 0.80, status_draw < 0.85, status_draw < 0.91, status_draw < 0.95],
        [0, 1, 2, 3, 4], 5)  # completed delivered shipped cancelled refunded partial
    recent = order_time > data_end - 3 * DAY
    status_idx = np.where(recent & (status_draw < 0.3), 6, status_idx)  # pending
    status_labels = np.array(["completed", "delivered", "shipped", "cancelled", "refunded", "completed", "pending"])
    refunded = np.where(status_idx == 4, amount, np.where(status_idx == 5, np.round(amount * rng.uniform(0.2, 0.5, n_orders), 2), 0.0))
    record_of_person = primary_record[op]
    # account holders sometimes use a second account; some check out as guests
    second_account = rng.random(n_orders) < 0.25
    extra_count = records_per_person[op] - 1
    use_other = second_account & (extra_count > 0)
    other_offset = np.where(use_other, 1 + (rng.integers(0, 100, n_orders) % np.maximum(extra_count, 1)), 0)
    order_record = np.where(record_of_person >= 0, record_of_person + other_offset, -1)
    guest_checkout = is_guest[op] | (rng.random(n_orders) < 0.12)
    order_customer = np.where(guest_checkout | (order_record < 0), -1, rec_customer_num[np.maximum(order_record, 0)])
    # the email given at checkout: the account's email when it is usable, else the true one
    account_email = np.where((order_record >= 0) & usable_email[np.maximum(order_record, 0)],
                             np.char.strip(np.char.lower(rec_email[np.maximum(order_record, 0)].astype(str))), person_email[op])
    order_email = np.where(guest_checkout, person_email[op], account_email).astype(object)
    email_missing = ~guest_checkout & (rng.random(n_orders) < 0.05)
    order_phone_known = has_phone[op] & (rng.random(n_orders) < 0.3)
    order_phone = _format_phones(true_phone[op], calling[op], national[op], rng.integers(0, 5, n_orders)).astype(object)

    order_num = np.arange(1, n_orders + 1) + 5_000_000 + offsets.order
    orders = {
        "order_id": _ids("O", order_num, 8),
        "customer_id": _with_nulls(_ids("C", np.maximum(order_customer, 0), 7), order_customer < 0),
        "email": _with_nulls(pa.array(order_email, type=pa.string()), email_missing),
        "ordered_at": _fmt_ts(order_time),
        "amount": _money(amount),
        "currency": pa.array(order_currency.astype(object), type=pa.string()),
        "status": _pick(status_labels, status_idx),
        "refunded_amount": _money(refunded),
        "phone": _with_nulls(pa.array(order_phone, type=pa.string()), ~order_phone_known),
        "updated_at": _fmt_ts(np.minimum(order_time + rng.integers(60, 3 * DAY, n_orders), data_end - 30)),
    }
    orders_tbl = pa.table(orders)
    orders_person = op.copy()
    # earlier versions of some orders: 'pending' before the final status
    versioned = np.nonzero(rng.random(n_orders) < 0.05)[0]
    old = orders_tbl.take(pa.array(versioned))
    old = old.set_column(old.schema.get_field_index("status"), "status", pa.array(np.full(len(versioned), "pending", dtype=object), type=pa.string()))
    old = old.set_column(old.schema.get_field_index("refunded_amount"), "refunded_amount", pa.array(np.full(len(versioned), "0.0", dtype=object), type=pa.string()))
    old = old.set_column(old.schema.get_field_index("updated_at"), "updated_at", _fmt_ts(order_time[versioned] + 30))
    orders_tbl = pa.concat_tables([orders_tbl, old])
    orders_person = np.concatenate([orders_person, op[versioned]])
    # mess: null ids, negative and unparseable amounts, future dates, bad timestamps, offsets
    m = len(orders_person)
    mess = rng.random(m)
    null_order_id = mess < 0.001
    negative = (mess >= 0.001) & (mess < 0.002)
    unparseable = (mess >= 0.002) & (mess < 0.0025)
    future = (mess >= 0.0025) & (mess < 0.0035)
    bad_ts = (mess >= 0.0035) & (mess < 0.0038)
    with_offset = (mess >= 0.01) & (mess < 0.03)
    order_times_all = np.concatenate([order_time, order_time[versioned]])
    col = orders_tbl.column_names.index
    ordered_at_text = orders_tbl.column("ordered_at").combine_chunks()
    # +02:00 offset: local wall time two hours ahead of UTC, same instant
    offset_text = pc.binary_join_element_wise(
        pc.replace_substring(_fmt_ts(order_times_all + 7200), " ", "T"), pa.scalar("+02:00"), "")
    ordered_at_text = _replace(ordered_at_text, with_offset, offset_text)
    future_time = data_end + rng.integers(10, 400, m) * DAY
    ordered_at_text = _replace(ordered_at_text, future, _fmt_ts(future_time))
    ordered_at_text = _replace(ordered_at_text, bad_ts, "2023-02-30 10:00:00")
    updated_text = _replace(orders_tbl.column("updated_at").combine_chunks(), future, _fmt_ts(future_time + 60))
    amount_text = orders_tbl.column("amount").combine_chunks()
    amount_text = _replace(amount_text, negative, pc.binary_join_element_wise(pa.scalar("-"), amount_text, ""))
    amount_text = _replace(amount_text, unparseable, "N/A")
    order_id_text = _with_nulls(orders_tbl.column("order_id").combine_chunks(), null_order_id)
    orders_tbl = orders_tbl.set_column(col("ordered_at"), "ordered_at", ordered_at_text)
    orders_tbl = orders_tbl.set_column(col("updated_at"), "updated_at", updated_text)
    orders_tbl = orders_tbl.set_column(col("amount"), "amount", amount_text)
    orders_tbl = orders_tbl.set_column(col("order_id"), "order_id", order_id_text)
    truth.add_records("orders", orders_person)
    rows = np.arange(1, m + 1)
    truth.plant("orders", rows[null_order_id], orders_person[null_order_id], "null_id")
    truth.plant("orders", rows[negative], orders_person[negative], "negative_amount")
    truth.plant("orders", rows[unparseable], orders_person[unparseable], "unparseable_amount")
    truth.plant("orders", rows[future], orders_person[future], "future_dated", at=future_time[future])
    truth.plant("orders", rows[bad_ts], orders_person[bad_ts], "invalid_timestamp")
    truth.plant("orders", rows[n_orders:], orders_person[n_orders:], "superseded_version")
    guest_rows = np.nonzero(guest_checkout)[0]
    truth.plant("orders", guest_rows + 1, op[guest_rows], "guest_checkout")
    cancelled = np.nonzero(status_idx == 3)[0]
    truth.plant("orders", cancelled + 1, op[cancelled], "cancelled_order")
    refunded_rows = np.nonzero(status_idx == 4)[0]
    truth.plant("orders", refunded_rows + 1, op[refunded_rows], "refunded_order")

    order_items = {
        "order_id": _ids("O", order_num[item_order], 8),
        "product_id": _ids("SKU", item_product + 1, 6),
        "quantity": pc.cast(pa.array(quantity), pa.string()),
        "unit_price": _money(unit_price),
    }

    # ---------------------------------------------------------------- devices and web sessions
    devices_per_person = 1 + (rng.random(n) < 0.35)
    device_owner, device_pos = _expand(devices_per_person)
    device_num = rng.permutation(len(device_owner)) + 1 + offsets.device
    first_device = np.cumsum(devices_per_person) - devices_per_person
    device_type_idx = np.where(device_pos == 0, rng.choice(4, size=len(device_owner), p=[0.45, 0.4, 0.05, 0.1]),
                               rng.choice(4, size=len(device_owner), p=[0.2, 0.6, 0.1, 0.1]))
    kiosk_devices = np.array([len(device_owner) + 1 + k for k in range(3)])

    # sessions that end in an order
    os_person = op
    os_device = first_device[op] + (rng.random(n_orders) < 0.3) * (devices_per_person[op] - 1)
    os_start = order_time - rng.integers(5, 40, n_orders) * 60
    os_logged = order_customer >= 0
    os_identify = guest_checkout & (rng.random(n_orders) < 0.5)
    # browsing sessions without an order
    browse_count = rng.poisson(1.5 + 1.2 * orders_per_person) * (is_buyer | (rng.random(n) < 0.5))
    bs_person, _ = _expand(browse_count)
    lo = np.maximum(signup[bs_person], start)
    bs_start = (lo + (data_end - lo) * rng.random(len(bs_person)) ** 0.7).astype(np.int64)
    bs_device = first_device[bs_person] + (rng.random(len(bs_person)) < 0.4) * (devices_per_person[bs_person] - 1)
    bs_logged = (~is_guest[bs_person]) & (rng.random(len(bs_person)) < 0.5)
    bs_cart = rng.random(len(bs_person)) < 0.22
    # planted abandoned carts: a logged-in add to cart in the last 7 days, at least 30 minutes before the end
    alive_recent = (~is_guest) & (rng.random(n) < 0.03)
    ac_person = np.nonzero(alive_recent)[0]
    ac_start = data_end - rng.integers(2 * 3600, 6 * DAY, len(ac_person))
    # a kiosk session by a few account holders (over-merge trap)
    account_holders = np.nonzero(~is_guest)[0]
    kiosk_person = np.sort(rng.choice(account_holders, size=min(len(account_holders), max(16, int(0.005 * n))), replace=False))
    kiosk_start = (np.maximum(signup[kiosk_person], start) + (data_end - np.maximum(signup[kiosk_person], start)) * rng.random(len(kiosk_person))).astype(np.int64)
    # chain links: a second account whose only link is a logged-in session on the person's device
    chain_rec = np.nonzero(rec_variant == 2)[0]

    sessions_person = np.concatenate([os_person, bs_person, ac_person, kiosk_person, rec_person[chain_rec], rec_person[chain_rec]])
    sessions_start = np.concatenate([os_start, bs_start, ac_start, kiosk_start,
                                     np.minimum(rec_signup[chain_rec] + 3600, data_end - 7200),
                                     np.minimum(rec_signup[chain_rec] + 7200, data_end - 3600)])
    sessions_device = np.concatenate([os_device, bs_device, first_device[ac_person],
                                      kiosk_devices[rng.integers(0, 3, len(kiosk_person))] - 1,
                                      first_device[rec_person[chain_rec]], first_device[rec_person[chain_rec]]])
    n_os, n_bs, n_ac, n_ks, n_ch = len(os_person), len(bs_person), len(ac_person), len(kiosk_person), len(chain_rec)
    kind = np.concatenate([np.zeros(n_os, int), np.ones(n_bs, int), np.full(n_ac, 2), np.full(n_ks, 3), np.full(n_ch, 4), np.full(n_ch, 5)])
    # which customer id is logged in on the session
    sess_customer = np.concatenate([
        np.where(os_logged, order_customer, -1),
        np.where(bs_logged, rec_customer_num[np.maximum(primary_record[bs_person], 0)], -1),
        rec_customer_num[primary_record[ac_person]],
        rec_customer_num[primary_record[kiosk_person]],
        rec_customer_num[primary_record[rec_person[chain_rec]]],
        rec_customer_num[chain_rec],
    ])
    n_sessions = len(sessions_person)
    session_num = np.arange(1, n_sessions + 1) + offsets.session
    # events per session: page_view, product views, add to carts, checkout / identify
    views = np.concatenate([n_items, 1 + rng.poisson(1.5, n_bs), 1 + rng.poisson(1.0, n_ac), np.ones(n_ks, int), np.ones(2 * n_ch, int)])
    carts = np.concatenate([n_items, bs_cart.astype(int), np.ones(n_ac, int), np.zeros(n_ks + 2 * n_ch, int)])
    checkout = np.concatenate([np.ones(n_os, int), np.zeros(n_bs + n_ac + n_ks + 2 * n_ch, int)])
    identify = np.concatenate([os_identify.astype(int), np.zeros(n_bs + n_ac + n_ks + 2 * n_ch, int)])
    per_session = 1 + views + carts + checkout + identify
    ev_session, ev_pos = _expand(per_session)
    n_events = len(ev_session)
    s = ev_session
    # event type by position within the session
    v, c_, k = views[s], carts[s], checkout[s]
    # page_view, product_view, add_to_cart, checkout, identify
    etype = np.select([ev_pos == 0, ev_pos <= v, ev_pos <= v + c_, (ev_pos == v + c_ + 1) & (k == 1)], [0, 1, 2, 3], 4)
    # products: order sessions view and add the order's items; others browse a category
    is_order_session = s < n_os
    pos_in_items = np.where(etype == 1, ev_pos - 1, np.where(etype == 2, ev_pos - 1 - v, 0))
    kept_items_per_order = np.bincount(item_order, minlength=n_orders)
    kept_start = np.cumsum(kept_items_per_order) - kept_items_per_order
    order_of_event = np.where(is_order_session, s, 0)
    safe_pos = np.minimum(pos_in_items, np.maximum(kept_items_per_order[order_of_event] - 1, 0))
    item_index_all = kept_start[order_of_event] + safe_pos
    product_for_event = np.where(is_order_session & (kept_items_per_order[order_of_event] > 0), item_product[np.minimum(item_index_all, len(item_product) - 1)], 0)
    browse_cat = fav_category[sessions_person[s]]
    browse_pick = np.empty(n_events, dtype=np.int64)
    for cidx in range(len(CATEGORIES)):
        members = np.nonzero(browse_cat == cidx)[0]
        pool = products_by_category[cidx]
        # repeated product views within a session revisit the same few products
        browse_pick[members] = pool[(session_num[s[members]] * 7 + (ev_pos[members] % 2)) % len(pool)]
    product_for_event = np.where(is_order_session, product_for_event, browse_pick)
    has_product = (etype == 1) | (etype == 2)
    gap = rng.integers(20, 120, n_events)
    ev_time = sessions_start[s] + ev_pos * gap
    # order sessions end with the checkout one minute before the order (and an identify after it)
    session_order_time = order_time[np.minimum(s, n_orders - 1)]
    steps_to_checkout = views[s] + carts[s] + 1 - ev_pos
    ev_time = np.where(is_order_session, session_order_time - 60 - steps_to_checkout * gap, ev_time)
    ev_time = np.where(is_order_session & (etype == 4), session_order_time - 30, ev_time)
    sess_dev = sessions_device[s]
    kiosk_number = 99_999_001 + (sess_dev - len(device_owner))  # the three shop kiosks, the same in every shard
    anonymous = _ids("A", np.where(sess_dev >= len(device_owner), kiosk_number, device_num[np.minimum(sess_dev, len(device_owner) - 1)]), 8)
    dev_type_idx = np.where(sess_dev >= len(device_owner), 0, device_type_idx[np.minimum(sess_dev, len(device_owner) - 1)])
    ev_customer = sess_customer[s]
    has_session_id = rng.random(n_sessions) < 0.8
    price_shown = product_price[product_for_event]
    web = {
        "event_id": _ids("E", np.arange(1, n_events + 1) + 10_000_000 + offsets.event, 9),
        "anonymous_id": anonymous,
        "customer_id": _with_nulls(_ids("C", np.maximum(ev_customer, 0), 7), ev_customer < 0),
        "email": _with_nulls(_pick(person_email, sessions_person[s]), etype != 4),
        "session_id": _with_nulls(_ids("S", session_num[s], 8), ~has_session_id[s]),
        "event_type": _pick(np.array(["page_view", "product_view", "add_to_cart", "checkout", "identify"]), etype),
        "product_id": _with_nulls(_ids("SKU", product_for_event + 1, 6), ~has_product),
        "quantity": _with_nulls(pc.cast(pa.array(np.ones(n_events, dtype=np.int64)), pa.string()), etype != 2),
        "price": _with_nulls(_money(price_shown), ~has_product),
        "device_type": _pick(DEVICE_TYPES, dev_type_idx),
        "occurred_at": _fmt_ts(ev_time),
        "received_at": _fmt_ts(ev_time + rng.integers(1, 20, n_events)),
    }
    web_tbl = pa.table(web)
    web_person = sessions_person[s]
    late = rng.random(n_events) < 0.02
    web_tbl = web_tbl.set_column(web_tbl.column_names.index("received_at"), "received_at",
                                 _replace(web_tbl.column("received_at").combine_chunks(), late, _fmt_ts(ev_time + rng.integers(DAY, 3 * DAY, n_events))))
    dup = np.nonzero(rng.random(n_events) < 0.01)[0]
    web_tbl = pa.concat_tables([web_tbl, web_tbl.take(pa.array(dup))])
    web_person_all = np.concatenate([web_person, web_person[dup]])
    w = len(web_person_all)
    wmess = rng.random(w)
    null_event_id = wmess < 0.0005
    web_tbl = web_tbl.set_column(0, "event_id", _with_nulls(web_tbl.column("event_id").combine_chunks(), null_event_id))
    truth.add_records("web_events", web_person_all)
    truth.plant("web_events", n_events + 1 + np.arange(len(dup)), web_person[dup], "duplicate_delivery",
                detail=(dup + 1 + offsets.rows["web_events"]).astype(str).astype(object))
    truth.plant("web_events", np.nonzero(null_event_id)[0] + 1, web_person_all[null_event_id], "null_id")
    truth.plant("web_events", np.nonzero(late)[0] + 1, web_person[late], "late_arriving")
    # ground truth of carts: add_to_cart events and whether the same person placed a qualifying order at or after
    cart_rows = np.nonzero(etype == 2)[0]
    # a purchase is a qualifying order (completed, shipped or delivered) whose row is usable
    unusable_row = (null_order_id | negative | unparseable | future | bad_ts)[:n_orders]
    qualifying = np.isin(status_idx, [0, 1, 2, 5]) & ~unusable_row
    cart_person = web_person[cart_rows]
    cart_time = ev_time[cart_rows]
    next_order = _next_time_per_person(op[qualifying], order_time[qualifying], cart_person, cart_time)
    cart_detail = np.char.add(np.char.add("SKU", np.char.zfill((product_for_event[cart_rows] + 1).astype(str), 6)),
                              np.char.add("|", np.round(price_shown[cart_rows], 2).astype(str))).astype(object)
    purchased_after = next_order >= 0
    truth.plant("web_events", cart_rows[~purchased_after] + 1, cart_person[~purchased_after], "abandoned_cart",
                at=cart_time[~purchased_after], detail=cart_detail[~purchased_after])
    truth.plant("web_events", cart_rows[purchased_after] + 1, cart_person[purchased_after], "cart_purchased",
                at=cart_time[purchased_after], detail=cart_detail[purchased_after])
    kiosk_rows = np.nonzero(kind[s] == 3)[0]
    truth.plant("web_events", kiosk_rows + 1, web_person[kiosk_rows], "kiosk_device")
    chain_rows = np.nonzero(kind[s] >= 4)[0]
    truth.plant("web_events", chain_rows + 1, web_person[chain_rows], "web_account_link")
    # write now and free the event arrays: at a million customers they are the bulk of memory
    row_counts["web_events"] = writers.write("web_events", web_tbl)
    del web, web_tbl, ev_session, ev_pos, s, etype, is_order_session, product_for_event, browse_cat, browse_pick
    del has_product, gap, ev_time, session_order_time, steps_to_checkout, sess_dev, anonymous, dev_type_idx
    del ev_customer, price_shown, web_person, late, dup, web_person_all, wmess, null_event_id

    # ---------------------------------------------------------------- consent
    has_email_channel = np.ones(n, bool)
    grant = (~is_guest & (rng.random(n) < 0.62)) | (is_guest & (rng.random(n) < 0.3))
    grant &= has_email_channel
    method_idx = np.where(is_guest, 1, rng.choice(4, size=n, p=[0.55, 0.2, 0.15, 0.1]))
    grant_time = np.where(is_guest, first_buy + 60, signup + 120)
    grant_time = np.minimum(grant_time, data_end - 7200)
    confirm_time = grant_time + rng.integers(300, 2 * DAY, n)
    confirmed = method_idx != 3
    eligible_from = np.where(method_idx == 0, confirm_time, grant_time)
    withdraw = grant & confirmed & (rng.random(n) < 0.08)
    withdraw_time = eligible_from + ((data_end - eligible_from) * rng.uniform(0.2, 0.95, n)).astype(np.int64)
    regrant = withdraw & (rng.random(n) < 0.25)
    regrant_time = withdraw_time + ((data_end - withdraw_time) * rng.uniform(0.2, 0.8, n)).astype(np.int64)
    regrant_confirm = regrant_time + rng.integers(300, DAY, n)
    regrant_confirm = np.minimum(regrant_confirm, data_end - 600)
    personal = grant & (rng.random(n) < 0.85)
    personal_withdraw = personal & (rng.random(n) < 0.06)
    personal_withdraw_time = grant_time + ((data_end - grant_time) * rng.uniform(0.3, 0.95, n)).astype(np.int64)
    sms = grant & has_phone & (rng.random(n) < 0.15)

    c_rows: list[dict[str, np.ndarray]] = []

    def consent(who: np.ndarray, channel: str, purpose: str, status: str, method: np.ndarray | str, source: str, at: np.ndarray) -> None:
        c_rows.append({"person": who, "channel": np.full(len(who), channel, dtype=object), "purpose": np.full(len(who), purpose, dtype=object),
                       "status": np.full(len(who), status, dtype=object),
                       "method": method if isinstance(method, np.ndarray) else np.full(len(who), method, dtype=object),
                       "source": np.full(len(who), source, dtype=object), "at": at})

    g = np.nonzero(grant)[0]
    src = np.where(is_guest[g], "checkout", np.where(method_idx[g] == 2, "import", "signup_form")).astype(object)
    first_method = np.where(np.isin(method_idx[g], [0, 3]), "double_opt_in_pending", CONSENT_METHODS[method_idx[g]]).astype(object)
    c_rows.append({"person": g, "channel": np.full(len(g), "email", dtype=object), "purpose": np.full(len(g), "marketing", dtype=object),
                   "status": np.full(len(g), "granted", dtype=object), "method": first_method, "source": src, "at": grant_time[g]})
    conf = np.nonzero(grant & (method_idx == 0))[0]
    consent(conf, "email", "marketing", "granted", "double_opt_in_confirmed", "confirmation_link", confirm_time[conf])
    wd = np.nonzero(withdraw)[0]
    consent(wd, "email", "marketing", "withdrawn", "preference_centre", "preference_centre", withdraw_time[wd])
    rg = np.nonzero(regrant)[0]
    consent(rg, "email", "marketing", "granted", "double_opt_in_pending", "preference_centre", regrant_time[rg])
    consent(rg, "email", "marketing", "granted", "double_opt_in_confirmed", "confirmation_link", regrant_confirm[rg])
    pe = np.nonzero(personal)[0]
    consent(pe, "email", "personalisation", "granted", "single_opt_in", "signup_form", grant_time[pe] + 1)
    pw = np.nonzero(personal_withdraw)[0]
    consent(pw, "email", "personalisation", "withdrawn", "preference_centre", "preference_centre", personal_withdraw_time[pw])
    sm = np.nonzero(sms)[0]
    consent(sm, "sms", "marketing", "granted", "single_opt_in", "signup_form", grant_time[sm] + 2)
    c_person = np.concatenate([r["person"] for r in c_rows])
    c_at = np.concatenate([r["at"] for r in c_rows])
    c_method = np.concatenate([r["method"] for r in c_rows])
    c_method = np.where(c_method == "preference_centre", None, c_method)
    c_customer = np.where(is_guest[c_person], -1, rec_customer_num[np.maximum(primary_record[c_person], 0)])
    c_email_upper = rng.random(len(c_person)) < 0.05
    c_email = np.where(c_email_upper, np.char.upper(person_email[c_person].astype(str)), person_email[c_person]).astype(object)
    corder = np.lexsort((c_person, c_at))
    consent_tbl = pa.table({
        "customer_id": _with_nulls(_ids("C", np.maximum(c_customer, 0), 7), c_customer < 0),
        "email": pa.array(c_email, type=pa.string()),
        "channel": pa.array(np.concatenate([r["channel"] for r in c_rows]), type=pa.string()),
        "purpose": pa.array(np.concatenate([r["purpose"] for r in c_rows]), type=pa.string()),
        "status": pa.array(np.concatenate([r["status"] for r in c_rows]), type=pa.string()),
        "method": pa.array(c_method, type=pa.string()),
        "source": pa.array(np.concatenate([r["source"] for r in c_rows]), type=pa.string()),
        "occurred_at": _fmt_ts(c_at, "iso_z"),
    }).take(pa.array(corder))
    c_person = c_person[corder]
    truth.add_records("consent_events", c_person)
    never_confirmed = np.nonzero(grant & (method_idx == 3))[0]
    truth.plant(None, None, never_confirmed, "doi_never_confirmed", at=grant_time[never_confirmed])
    withdrawn_final = np.nonzero(withdraw & ~regrant)[0]
    truth.plant(None, None, withdrawn_final, "consent_withdrawn", at=withdraw_time[withdrawn_final])
    truth.plant(None, None, rg, "consent_reconfirmed", at=regrant_confirm[rg])
    truth.plant(None, None, pw, "personalisation_withdrawn", at=personal_withdraw_time[pw])

    # ---------------------------------------------------------------- email campaigns
    first_campaign = start + 10 * 3600  # 10:00 UTC every seventh day
    n_campaigns = int((data_end - first_campaign) // (7 * DAY)) + 1
    campaign_time = first_campaign + np.arange(n_campaigns) * 7 * DAY
    stop = np.full(n, data_end, dtype=np.int64)
    stop = np.where(withdraw, withdraw_time, stop)
    sendable = grant & confirmed
    # planted fates that end sending: unsubscribe, hard bounce, complaint
    # fixed shares of the people who receive email for a month or more (at least three each)
    long_enough = np.nonzero(sendable & (stop - eligible_from > 30 * DAY))[0]
    fated = rng.permutation(long_enough)
    n_unsub, n_hard, n_complaint = (max(3, int(share * len(long_enough))) for share in (0.04, 0.015, 0.005))
    unsub = np.zeros(n, bool)
    hard = np.zeros(n, bool)
    complaint = np.zeros(n, bool)
    unsub[fated[:n_unsub]] = True
    hard[fated[n_unsub: n_unsub + n_hard]] = True
    complaint[fated[n_unsub + n_hard: n_unsub + n_hard + n_complaint]] = True
    fate_time = eligible_from + 8 * DAY + ((stop - eligible_from - 8 * DAY) * rng.uniform(0.3, 0.9, n)).astype(np.int64)
    stop = np.where(unsub | hard | complaint, fate_time, stop)
    first_idx_c = np.clip(np.ceil((eligible_from - first_campaign) / (7 * DAY)).astype(np.int64), 0, n_campaigns)
    last_idx_c = np.clip(np.floor((stop - first_campaign) / (7 * DAY)).astype(np.int64) + 1, 0, n_campaigns)
    windows = np.where(sendable, np.maximum(last_idx_c - first_idx_c, 0), 0)
    # re-subscribed people get campaigns again after confirming
    re_first = np.clip(np.ceil((regrant_confirm - first_campaign) / (7 * DAY)).astype(np.int64), 0, n_campaigns)
    re_windows = np.where(regrant & ~(unsub | hard | complaint), np.maximum(n_campaigns - re_first, 0), 0)
    m_person_a, m_pos_a = _expand(windows)
    m_person_b, m_pos_b = _expand(re_windows)
    m_person = np.concatenate([m_person_a, m_person_b])
    m_campaign = np.concatenate([first_idx_c[m_person_a] + m_pos_a, re_first[m_person_b] + m_pos_b])
    picked = rng.random(len(m_person)) < 0.35
    is_last = np.zeros(len(m_person), bool)
    # the last message of people with a fate always goes out (it carries the fate)
    last_of_window = np.concatenate([m_pos_a == windows[m_person_a] - 1, np.zeros(len(m_person_b), bool)])
    fated = (unsub | hard | complaint)[m_person]
    picked |= last_of_window & fated
    is_last = last_of_window & fated
    m_person, m_campaign, is_last = m_person[picked], m_campaign[picked], is_last[picked]
    n_msg = len(m_person)
    sent_at = campaign_time[m_campaign] + rng.integers(0, 3600, n_msg)
    soft = rng.random(n_msg) < 0.01
    hard_msg = is_last & hard[m_person]
    delivered = ~(soft | hard_msg)
    base_open = rng.beta(2, 3, n)
    decay = rng.uniform(120, 500, n)
    age_days = (sent_at - eligible_from[m_person]) / DAY
    p_open = base_open[m_person] * np.exp(-np.maximum(age_days, 0) / decay[m_person])
    opened = delivered & (rng.random(n_msg) < p_open)
    opened |= is_last & (unsub | complaint)[m_person]
    day_start = (sent_at // DAY) * DAY
    open_at = day_start + pref_hour[m_person] * 3600 + rng.integers(0, 3600, n_msg)
    open_at = np.where(open_at <= sent_at, open_at + DAY, open_at)
    open_at = np.minimum(open_at, data_end - 60)
    opened &= open_at > sent_at
    clicked = opened & (rng.random(n_msg) < 0.25)
    unsub_msg = is_last & unsub[m_person] & opened
    complaint_msg = is_last & complaint[m_person] & opened
    msg_id = np.arange(1, n_msg + 1) + 20_000_000 + offsets.message
    parts = [
        ("sent", np.ones(n_msg, bool), sent_at, None),
        ("delivered", delivered, sent_at + rng.integers(1, 120, n_msg), None),
        ("bounce", soft | hard_msg, sent_at + rng.integers(1, 300, n_msg), np.where(hard_msg, "hard", "soft")),
        ("open", opened, open_at, None),
        ("click", clicked, open_at + rng.integers(5, 600, n_msg), None),
        ("unsubscribe", unsub_msg, open_at + 700, None),
        ("complaint", complaint_msg, open_at + 800, None),
    ]
    e_msg = np.concatenate([np.nonzero(mask)[0] for _, mask, _, _ in parts])
    e_type = np.concatenate([np.full(mask.sum(), name, dtype=object) for name, mask, _, _ in parts])
    e_time = np.concatenate([times[mask] for _, mask, times, _ in parts])
    e_bounce = np.concatenate([(btype[mask].astype(object) if btype is not None else np.full(mask.sum(), None, dtype=object)) for _, mask, _, btype in parts])
    eorder = np.lexsort((e_msg, e_time))
    e_msg, e_type, e_time, e_bounce = e_msg[eorder], e_type[eorder], e_time[eorder], e_bounce[eorder]
    # a second open of some messages
    e_person = m_person[e_msg]
    email_tbl = pa.table({
        "message_id": _ids("M", msg_id[e_msg], 9),
        "campaign_id": _ids("CMP", m_campaign[e_msg] + 1, 4),
        "email": _pick(person_email, e_person),
        "event_type": pa.array(e_type, type=pa.string()),
        "bounce_type": pa.array(e_bounce, type=pa.string()),
        "subscriber_id": _ids("SUB", e_person + 1 + offsets.person, 8),
        "occurred_at": _fmt_ts(e_time, "iso_z"),
        "received_at": _fmt_ts(e_time + 5, "iso_z"),
    })
    edup = np.nonzero(rng.random(len(e_person)) < 0.01)[0]
    email_tbl = pa.concat_tables([email_tbl, email_tbl.take(pa.array(edup))])
    email_person = np.concatenate([e_person, e_person[edup]])
    truth.add_records("email_events", email_person)
    truth.plant("email_events", len(e_person) + 1 + np.arange(len(edup)), e_person[edup], "duplicate_delivery",
                detail=(edup + 1 + offsets.rows["email_events"]).astype(str).astype(object))
    for behaviour, mask in (("unsubscribed", unsub & np.isin(pid, m_person[unsub_msg])),
                            ("hard_bounce", hard & np.isin(pid, m_person[hard_msg])),
                            ("complaint", complaint & np.isin(pid, m_person[complaint_msg]))):
        who = np.nonzero(mask)[0]
        truth.plant(None, None, who, behaviour, at=fate_time[who])
    soft_people, soft_counts = np.unique(m_person[soft], return_counts=True)
    truth.plant(None, None, soft_people, "soft_bounces", detail=soft_counts.astype(str).astype(object))
    row_counts["email_events"] = writers.write("email_events", email_tbl)
    del email_tbl, e_msg, e_type, e_time, e_bounce, e_person, email_person, edup

    # ---------------------------------------------------------------- preferences
    pref_who = np.nonzero(grant & (rng.random(n) < 0.15))[0]
    topic_mask = rng.random((len(pref_who), len(TOPICS))) < 0.4
    topics = np.array(["|".join(TOPICS[row]) if row.any() else None for row in topic_mask], dtype=object)
    pref_time = grant_time[pref_who] + ((data_end - grant_time[pref_who]) * rng.random(len(pref_who))).astype(np.int64)
    pref_customer = np.where(is_guest[pref_who], -1, rec_customer_num[np.maximum(primary_record[pref_who], 0)])
    preferences_tbl = pa.table({
        "customer_id": _with_nulls(_ids("C", np.maximum(pref_customer, 0), 7), pref_customer < 0),
        "email": pa.array(person_email[pref_who], type=pa.string()),
        "topics": pa.array(topics, type=pa.string()),
        "frequency": _pick(FREQUENCIES, rng.integers(0, 3, len(pref_who))),
        "updated_at": _fmt_ts(pref_time),
    })
    truth.add_records("preferences", pref_who)

    # ---------------------------------------------------------------- erasure requests
    crm_people = np.nonzero(~is_guest)[0]
    erase_who = np.sort(rng.choice(crm_people, size=min(len(crm_people), max(2, int(0.003 * n))), replace=False))
    id_kind = rng.choice(3, size=len(erase_who), p=[0.4, 0.45, 0.15])
    id_kind = np.where((id_kind == 2) & ~has_phone[erase_who], 1, id_kind)
    erase_value = np.where(id_kind == 0, np.char.add("C", np.char.zfill(rec_customer_num[primary_record[erase_who]].astype(str), 7)),
                           np.where(id_kind == 1, np.char.upper(person_email[erase_who].astype(str)), true_phone[erase_who])).astype(object)
    erase_time = data_end - rng.integers(DAY, 90 * DAY, len(erase_who))
    erasure_tbl = pa.table({
        "identifier_type": _pick(np.array(["customer_id", "email", "phone"]), id_kind),
        "identifier_value": pa.array(erase_value, type=pa.string()),
        "requested_at": _fmt_ts(erase_time),
    })
    truth.add_records("erasure_requests", erase_who)
    truth.plant("erasure_requests", np.arange(1, len(erase_who) + 1), erase_who, "erasure_request", at=erase_time)

    # ---------------------------------------------------------------- write
    tables = {
        "orders": orders_tbl,
        "order_items": pa.table(order_items),
        "customers": customers,
        "consent_events": consent_tbl,
        "erasure_requests": erasure_tbl,
        "preferences": preferences_tbl,
    }
    for name, table in tables.items():
        row_counts[name] = writers.write(name, table)
    persons = pa.table({
        "person_id": pa.array((pid + offsets.person).astype(np.int64)),
        "first_name": pa.array(first_names.astype(object), type=pa.string()),
        "last_name": pa.array(last_names.astype(object), type=pa.string()),
        "email": pa.array(person_email, type=pa.string()),
        "phone_e164": _with_nulls(pa.array(true_phone.astype(object), type=pa.string()), ~has_phone),
        "country": pa.array(country.astype(object), type=pa.string()),
        "signed_up_at": _ts(signup),
        "is_guest": pa.array(is_guest),
        "is_buyer": pa.array(is_buyer),
        "orders_generated": pa.array(orders_per_person.astype(np.int64)),
        "preferred_hour": pa.array(pref_hour),
        "favourite_category": _pick(CATEGORIES, fav_category),
        "purchase_rate_per_day": pa.array(lam),
        "dropout_probability": pa.array(dropout),
        "email_marketing_granted": pa.array(grant),
        "consent_method": _pick(CONSENT_METHODS, method_idx),
        "is_erased": pa.array(np.isin(pid, erase_who)),
    })
    writers.write("persons", persons, truth=True)
    writers.write("records", pa.concat_tables(truth.records), truth=True)
    writers.write("planted", pa.concat_tables(truth.planted).cast(_PLANTED_SCHEMA), truth=True)
    # the next shard continues the ids and raw rows
    offsets.crm_record += n_rec
    offsets.order += n_orders
    offsets.event += n_events
    offsets.session += n_sessions
    offsets.message += n_msg
    offsets.device += len(device_owner)
    offsets.family_group += len(family_candidates) // 4
    for name, count in row_counts.items():
        offsets.rows[name] += count


_PLANTED_SCHEMA = pa.schema([
    ("table_name", pa.string()),
    ("raw_row_number", pa.int64()),
    ("person_id", pa.int64()),
    ("behaviour", pa.string()),
    ("detail", pa.string()),
    ("at", pa.timestamp("s")),
])


def _next_time_per_person(order_person: np.ndarray, order_time: np.ndarray, who: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each (who, at), the first order time of that person at or after `at`, else -1."""
    key_orders = order_person.astype(np.int64) * 10**10 + order_time
    key_orders.sort()
    key_query = who.astype(np.int64) * 10**10 + at
    pos = np.searchsorted(key_orders, key_query, side="left")
    found = np.full(len(who), -1, dtype=np.int64)
    valid = pos < len(key_orders)
    hit = np.zeros(len(who), bool)
    hit[valid] = (key_orders[pos[valid]] // 10**10) == who[valid]
    found[hit] = key_orders[pos[hit]] % 10**10
    return found


def _format_phones(e164: np.ndarray, calling: np.ndarray, national: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Phone numbers in the formats people type: E.164, spaced international, 00-prefixed,
    national with trunk prefix or NANP punctuation."""
    nat = national.astype(str)
    nanp = calling == "1"
    nanp_pretty = np.char.add(np.char.add(np.char.add("(", [s[:3] for s in nat]), ") "), np.char.add(np.char.add([s[3:6] for s in nat], "-"), [s[6:] for s in nat]))
    spaced = np.char.add(np.char.add(np.char.add("+", calling), " "), np.char.add(np.char.add([s[:3] for s in nat], " "), [s[3:] for s in nat]))
    dotted = np.char.add(np.char.add([s[:3] for s in nat], "."), np.char.add(np.char.add([s[3:6] for s in nat], "."), [s[6:] for s in nat]))
    return np.select(
        [style == 0, style == 1, style == 2, (style == 3) & nanp, style == 3, nanp],
        [e164, spaced, np.char.add(np.char.add("00", calling), nat), nanp_pretty, np.char.add("0", nat), dotted],
        np.char.add(np.char.add("0", [s[:4] for s in nat]), np.char.add(" ", [s[4:] for s in nat])),
    ).astype(object)


def parse_end_date(text: str | None) -> date:
    if not text:
        return datetime.now(timezone.utc).date()
    return date.fromisoformat(text)

"""Fit the BG/NBD purchase model (Fader, Hardie and Lee, 2005) and the Gamma-Gamma spend model
(Fader and Hardie, 2013) by maximum likelihood on marts.customer_purchase_statistics, and store
the parameters in marts.clv_model_parameters for the SQL scoring in marts.customer_predictions.

The fit runs between two parts of `dbt build` (see segwh/build.py): the statistics are SQL, the
scoring is SQL, only the optimisation is here. Customers with the same (x, t_x, T) share one
likelihood term, so the BG/NBD fit works on the distinct triples with their counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import yaml
from scipy import optimize, special

from segwh import targets
from segwh.warehouse import Warehouse, replace_dated_rows

PARAMETERS_TABLE = "marts.clv_model_parameters"
STATISTICS_TABLE = "marts.customer_purchase_statistics"


class ClvFitError(RuntimeError):
    """The optimiser did not find a usable maximum; the message says what to check."""


@dataclass
class Fit:
    model: str
    parameters: dict[str, float]
    log_likelihood: float
    customers: int


@dataclass
class FitResult:
    status: str  # fitted, insufficient_data or fit_failed
    reason: str
    fits: list[Fit] = field(default_factory=list)
    seconds: float = 0.0


def settings() -> dict[str, Any]:
    """The clv_* vars of dbt_project.yml."""
    variables = yaml.safe_load((targets.PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return {name: value for name, value in variables.items() if name.startswith("clv_")}


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD (equation 6 of the paper, in logs). The special
    functions depend on x only, so they are computed once per distinct x."""
    r, alpha, a, b = params
    distinct, index = np.unique(x, return_inverse=True)
    gamma_terms = (special.gammaln(r + distinct) - special.gammaln(r))[index]
    ended_beta = (special.betaln(a, b + distinct) - special.betaln(a, b))[index]
    dropped_beta = (special.betaln(a + 1, np.maximum(b + distinct - 1, 1e-12)) - special.betaln(a, b))[index]
    common = gamma_terms + r * np.log(alpha)
    ended = ended_beta - (r + x) * np.log(alpha + big_t)
    dropped = np.where(x > 0, dropped_beta - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(ended, dropped)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the Gamma-Gamma model of the mean spend m over x repeat days."""
    p, q, gamma = params
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(gamma)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + gamma))


def _maximise(negative: Any, starts: list[np.ndarray], names: list[str], model: str) -> tuple[np.ndarray, float]:
    """Minimise a negative log-likelihood over log-parameters from several starting points."""
    best: optimize.OptimizeResult | None = None
    for start in starts:
        result = optimize.minimize(negative, np.log(start), method="L-BFGS-B", bounds=[(-12.0, 12.0)] * len(start))
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None or not best.success:
        message = "no finite likelihood" if best is None else best.message
        raise ClvFitError(f"{model}: the maximum-likelihood fit did not converge ({message}); "
                          "check marts.customer_purchase_statistics for implausible values")
    values = np.exp(best.x)
    if np.any(np.isclose(best.x, -12.0) | np.isclose(best.x, 12.0)):
        stuck = [name for name, value in zip(names, best.x) if abs(abs(value) - 12.0) < 1e-6]
        raise ClvFitError(f"{model}: parameter(s) {', '.join(stuck)} ran to the edge of the search space; "
                          "the data do not identify the model")
    return values, -float(best.fun)


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, weights: np.ndarray) -> Fit:
    """r, alpha, a, b by maximum likelihood (weights: customers per distinct triple)."""
    scale = float(np.average(big_t, weights=weights)) or 1.0

    def negative(log_params: np.ndarray) -> float:
        value = -float(np.dot(weights, bgnbd_log_likelihood(np.exp(log_params), x, t_x, big_t)))
        return value if np.isfinite(value) else 1e300

    rate = float(np.average(x, weights=weights)) / scale or 1e-3
    starts = [np.array([1.0, 1.0 / rate if rate > 0 else scale, 1.0, 1.0]),
              np.array([0.5, scale, 0.5, 2.0]), np.array([0.25, scale / 4, 1.0, 3.0])]
    values, log_likelihood = _maximise(negative, starts, ["r", "alpha", "a", "b"], "bg_nbd")
    return Fit("bg_nbd", dict(zip(["r", "alpha", "a", "b"], map(float, values))), log_likelihood, int(weights.sum()))


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> Fit:
    """p, q, gamma by maximum likelihood on customers with repeat purchase days and spend > 0."""
    mean = float(m.mean())

    def negative(log_params: np.ndarray) -> float:
        value = -float(gamma_gamma_log_likelihood(np.exp(log_params), x, m).sum())
        return value if np.isfinite(value) else 1e300

    starts = [np.array([2.0, 3.0, mean]), np.array([1.0, 2.0, mean]), np.array([5.0, 5.0, 2 * mean])]
    values, log_likelihood = _maximise(negative, starts, ["p", "q", "gamma"], "gamma_gamma")
    if values[1] <= 1:
        raise ClvFitError(f"gamma_gamma: q = {values[1]:.3f} <= 1, the expected spend is infinite; "
                          "the spend data do not fit the model")
    return Fit("gamma_gamma", dict(zip(["p", "q", "gamma"], map(float, values))), log_likelihood, len(x))


def fit(warehouse: Warehouse, as_of: date, config: dict[str, Any] | None = None) -> FitResult:
    """Check data sufficiency, fit both models and return the result (nothing is written)."""
    config = config or settings()
    started = time.monotonic()
    summary = warehouse.query(
        f"select count(*), coalesce(max(age_days), 0), coalesce(sum(case when frequency >= 2 then 1 else 0 end), 0) "
        f"from {STATISTICS_TABLE}")[0]
    customers, history_days, repeaters = (int(value) for value in summary)
    shortfalls = []
    if customers < int(config["clv_min_customers"]):
        shortfalls.append(f"{customers} customers with orders (minimum {config['clv_min_customers']})")
    if history_days < int(config["clv_min_history_days"]):
        shortfalls.append(f"{history_days} days of order history (minimum {config['clv_min_history_days']})")
    if repeaters < int(config["clv_min_repeat_customers"]):
        shortfalls.append(f"{repeaters} customers with three or more purchase days "
                          f"(minimum {config['clv_min_repeat_customers']})")
    if shortfalls:
        return FitResult("insufficient_data", "; ".join(shortfalls), seconds=time.monotonic() - started)
    triples = np.array(warehouse.query(
        f"select frequency, recency_days, age_days, count(*) from {STATISTICS_TABLE} "
        "group by frequency, recency_days, age_days order by frequency, recency_days, age_days"), dtype=float)
    spend = np.array(warehouse.query(
        f"select frequency, repeat_order_value from {STATISTICS_TABLE} where frequency > 0 and repeat_order_value > 0 "
        "order by frequency, repeat_order_value"),
        dtype=float)
    try:
        purchases = fit_bgnbd(triples[:, 0], triples[:, 1], triples[:, 2], triples[:, 3])
        spending = fit_gamma_gamma(spend[:, 0], spend[:, 1])
    except ClvFitError as error:
        return FitResult("fit_failed", str(error), seconds=time.monotonic() - started)
    return FitResult("fitted", "", [purchases, spending], time.monotonic() - started)


def store(warehouse: Warehouse, as_of: date, result: FitResult) -> None:
    """Replace the rows of this as_of_date in marts.clv_model_parameters (earlier fits stay)."""
    string = "string" if warehouse.name == "spark" else "varchar"
    fitted_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    def text(value: str | None) -> str:
        if value is None:
            return f"cast(null as {string})"
        escaped = value.replace("\\", "\\\\").replace("'", "\\'") if warehouse.name == "spark" else value.replace("'", "''")
        return f"cast('{escaped}' as {string})"

    def number(value: float | None) -> str:
        double = "double precision" if warehouse.name == "postgres" else "double"
        return f"cast(null as {double})" if value is None else f"cast({value!r} as {double})"

    rows: list[tuple[str, str | None, float | None, float | None, int | None]] = []
    for fitted in result.fits:
        rows += [(fitted.model, name, value, fitted.log_likelihood, fitted.customers) for name, value in fitted.parameters.items()]
    if not rows:
        rows = [("bg_nbd", None, None, None, None), ("gamma_gamma", None, None, None, None)]
    new_rows = [
        f"select {text(model)} as model, {text(parameter)} as parameter, {number(value)} as value, "
        f"{number(log_likelihood)} as log_likelihood, cast({customers if customers is not None else 'null'} as bigint) as customers, "
        f"cast('{as_of.isoformat()}' as date) as as_of_date, {text(result.status)} as fit_status, "
        f"{text(result.reason or None)} as fit_reason, {number(round(result.seconds, 3))} as fit_seconds, "
        f"cast('{fitted_at}' as timestamp) as fitted_at"
        for model, parameter, value, log_likelihood, customers in rows
    ]
    replace_dated_rows(warehouse, PARAMETERS_TABLE, as_of.isoformat(), new_rows)


def fit_and_store(warehouse: Warehouse, as_of: date) -> FitResult:
    result = fit(warehouse, as_of)
    store(warehouse, as_of, result)
    if result.status == "fitted":
        described = "; ".join(f"{item.model} " + ", ".join(f"{name}={value:.4g}" for name, value in item.parameters.items())
                              + f" (log-likelihood {item.log_likelihood:.1f}, {item.customers:,} customers)" for item in result.fits)
        print(f"clv: fitted in {result.seconds:.2f}s: {described}")
    else:
        print(f"clv: no predictions as of {as_of} ({result.status}): {result.reason}")
    return result


def backtest(target: str, as_of: date, holdout_days: int) -> "Any":
    """Fit as of `as_of - holdout_days` and compare each customer's expected purchase days in the
    holdout with the actual ones, by calibration repeat purchase days (7 = 7 or more), as in the
    BG/NBD paper's figure. Rebuilds the statistics and predictions at the calibration date: run it
    on a warehouse built as of `as_of` and rebuild afterwards. Returns a pandas DataFrame."""
    from datetime import timedelta

    import pandas as pd

    from segwh import dbt_runner
    from segwh.warehouse import connect

    calibration = as_of - timedelta(days=holdout_days)
    warehouse = connect(target)
    try:
        actual = pd.Series(dict(warehouse.query(
            "select customer_key, count(distinct ordered_date) from intermediate.int_orders__attributed "
            f"where is_qualifying and ordered_date > cast('{calibration.isoformat()}' as date) "
            f"and ordered_date <= cast('{as_of.isoformat()}' as date) group by customer_key")), dtype=float)
    finally:
        warehouse.close()
    variables = {"as_of_date": calibration.isoformat()}
    dbt_runner.invoke(["run", "--select", "+customer_purchase_statistics"], target, variables)
    warehouse = connect(target)
    try:
        result = fit_and_store(warehouse, calibration)
    finally:
        warehouse.close()
    if result.status != "fitted":
        raise ClvFitError(f"back-test: no fit as of {calibration}: {result.reason}")
    dbt_runner.invoke(["run", "--select", "customer_predictions"], target, {**variables, "clv_horizon_days": holdout_days})
    warehouse = connect(target)
    try:
        frame = pd.DataFrame(warehouse.query(
            "select customer_key, frequency, expected_purchases_90d from marts.customer_predictions"),
            columns=["customer_key", "frequency", "predicted"])
    finally:
        warehouse.close()
    frame["predicted"] = frame.predicted.astype(float)
    frame["actual"] = frame.customer_key.map(actual).fillna(0.0)
    frame["calibration_repeat_days"] = frame.frequency.astype(int).clip(upper=7)
    table = frame.groupby("calibration_repeat_days").agg(
        customers=("customer_key", "size"), predicted=("predicted", "sum"), actual=("actual", "sum"))
    table.attrs["calibration"] = calibration
    return table

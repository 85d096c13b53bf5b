"""CLV predictions: the SQL scoring equals the papers' closed forms computed independently here
(scipy's hypergeometric function), the reference reproduces the BG/NBD paper's worked example,
the data-sufficiency gate empties predictions with a reason, and a back-test on generated data
predicts the purchases of a held-out period."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import special

from conftest import Build
from segwh import clv, dbt_runner

PREDICTION_COLUMNS = ["customer_key", "frequency", "recency_days", "age_days", "repeat_order_value", "p_alive",
                      "expected_purchases_90d", "expected_order_value", "predicted_clv_365d", "churn_risk",
                      "prediction_unavailable_reason"]


def reference_p_alive(r: float, alpha: float, a: float, b: float, x: float, t_x: float, big_t: float) -> float:
    """P(alive) of BG/NBD (Fader, Hardie and Lee 2008, note 021)."""
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))


def reference_expected_purchases(r: float, alpha: float, a: float, b: float, t: float, x: float, t_x: float,
                                 big_t: float) -> float:
    """E[Y(t) | x, t_x, T], equation 10 of Fader, Hardie and Lee (2005)."""
    hypergeometric = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hypergeometric)
    return first * reference_p_alive(r, alpha, a, b, x, t_x, big_t)


def reference_order_value(p: float, q: float, gamma: float, x: float, m: float | None) -> float:
    """Conditional expected spend of Gamma-Gamma (Fader and Hardie 2013, equation 5)."""
    if x == 0 or m is None:
        return p * gamma / (q - 1)
    return p * (gamma + x * m) / (p * x + q - 1)


def test_the_reference_reproduces_the_papers_worked_example() -> None:
    # CDNOW parameters in weeks; the paper's customer: x = 2, t_x = 30.43, T = 38.86 -> 1.226 in 39 weeks
    assert reference_expected_purchases(0.243, 4.414, 0.793, 2.426, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def fitted_parameters(built: Build) -> dict[str, float]:
    rows = built.rows("select parameter, value, fit_status from marts.clv_model_parameters "
                      f"where as_of_date = cast('{built.as_of_date}' as date)")
    assert rows and all(status == "fitted" for _, _, status in rows), rows
    return {name: float(value) for name, value, _ in rows}


def predictions(built: Build) -> pd.DataFrame:
    frame = pd.DataFrame(built.rows(f"select {', '.join(PREDICTION_COLUMNS)} from marts.customer_predictions"),
                         columns=PREDICTION_COLUMNS)
    for column in PREDICTION_COLUMNS[1:-2]:
        frame[column] = frame[column].astype(float)
    return frame


def test_sql_scoring_equals_the_closed_forms(built: Build) -> None:
    params = fitted_parameters(built)
    frame = predictions(built)
    r, alpha, a, b = (params[name] for name in ("r", "alpha", "a", "b"))
    chosen = pd.concat([
        frame[frame.frequency == 0].head(2),
        frame[(frame.frequency > 0) & (frame.recency_days < frame.age_days)].head(3),
        frame[(frame.frequency > 0) & (frame.recency_days == frame.age_days)].head(2),
        frame.nlargest(2, "frequency"),
    ])
    assert set(chosen.frequency.gt(0)) == {True, False}
    assert (chosen.recency_days == chosen.age_days)[chosen.frequency > 0].any()
    for row in chosen.itertuples():
        expected_alive = reference_p_alive(r, alpha, a, b, row.frequency, row.recency_days, row.age_days)
        expected_90 = reference_expected_purchases(r, alpha, a, b, 90, row.frequency, row.recency_days, row.age_days)
        assert row.p_alive == pytest.approx(expected_alive, abs=2e-6), row
        assert row.expected_purchases_90d == pytest.approx(expected_90, rel=1e-3, abs=2e-4), row
    # every customer, not only the chosen ones
    everyone = np.array([reference_expected_purchases(r, alpha, a, b, 90, x, t_x, big_t)
                         for x, t_x, big_t in zip(frame.frequency, frame.recency_days, frame.age_days)])
    assert np.max(np.abs(everyone - frame.expected_purchases_90d.to_numpy())) < 1e-3


def test_clv_is_expected_purchases_times_the_gamma_gamma_order_value(built: Build) -> None:
    params = fitted_parameters(built)
    frame = predictions(built)
    r, alpha, a, b, p, q, gamma = (params[name] for name in ("r", "alpha", "a", "b", "p", "q", "gamma"))
    for row in frame.head(50).itertuples():
        value = reference_order_value(p, q, gamma, row.frequency, None if pd.isna(row.repeat_order_value) else row.repeat_order_value)
        purchases = reference_expected_purchases(r, alpha, a, b, 365, row.frequency, row.recency_days, row.age_days)
        assert row.expected_order_value == pytest.approx(value, abs=0.006)
        assert row.predicted_clv_365d == pytest.approx(purchases * value, rel=1e-3, abs=0.02)
    assert set(frame.churn_risk) <= {"low", "medium", "high"}
    assert frame.prediction_unavailable_reason.isna().all()
    profile_rows = built.scalar("select count(*) from marts.customer_profile where predicted_clv_365d is not null")
    assert profile_rows == len(frame)


def test_too_little_data_is_refused_with_the_numbers(built: Build) -> None:
    config = {**clv.settings(), "clv_min_customers": 10**9, "clv_min_repeat_customers": 10**9}
    result = clv.fit(built.warehouse, date.fromisoformat(built.as_of_date), config)
    assert result.status == "insufficient_data" and not result.fits
    assert "customers with orders (minimum 1000000000)" in result.reason
    assert "three or more purchase days (minimum 1000000000)" in result.reason


@pytest.mark.pipeline(order=1)
def test_a_back_test_predicts_the_held_out_purchases(built: Build, capsys: Any) -> None:
    if built.target != "duckdb":
        pytest.skip("the back-test checks the model, not the engine: it runs on DuckDB")
    holdout_days = 180
    table = clv.backtest(built.target, date.fromisoformat(built.as_of_date), holdout_days)
    calibration = table.attrs["calibration"]
    with capsys.disabled():
        print(f"\nback-test: fitted as of {calibration}, predicted vs actual purchase days in the next {holdout_days} days "
              "by calibration repeat purchase days (7 = 7 or more)")
        print(table.round(1).to_string())
    total_predicted, total_actual = table.predicted.sum(), table.actual.sum()
    assert total_actual > 100
    assert abs(total_predicted - total_actual) <= 0.10 * total_actual, (total_predicted, total_actual)

    # the data-sufficiency gate: predictions empty with the reason
    clv.store(built.warehouse, calibration, clv.FitResult("insufficient_data", "12 customers with orders (minimum 500)"))
    dbt_runner.invoke(["run", "--select", "customer_predictions"], built.target, {"as_of_date": calibration.isoformat()})
    refused = predictions(built)
    assert refused.p_alive.isna().all() and refused.predicted_clv_365d.isna().all()
    assert (refused.prediction_unavailable_reason == "insufficient_data: 12 customers with orders (minimum 500)").all()

"""k-means clusters of customers on standardised, log-transformed recency, frequency, monetary
and engagement (marts.customer_cluster_features), with k from 2 to 8 chosen by the silhouette
score on a sample. Writes marts.customer_cluster_centroids (one row per cluster and as_of_date:
the standardisation, the centroid, a readable label, the silhouette of the chosen k); the SQL
model customer_clusters assigns every customer to the nearest centroid. Deterministic: a fixed
seed for the sample, the k-means++ starts and the restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np

from segwh.warehouse import Warehouse, replace_dated_rows

FEATURES_TABLE = "marts.customer_cluster_features"
CENTROIDS_TABLE = "marts.customer_cluster_centroids"
FEATURES = ("recency", "frequency", "monetary", "engagement")
SEED = 20240601
SILHOUETTE_SAMPLE = 2000
FIT_SAMPLE = 200_000
K_RANGE = range(2, 9)
# words for a centroid far (half a standard deviation) below / above the average
WORDS = {"recency": ("recent", "lapsed"), "frequency": ("one-off", "frequent"),
         "monetary": ("low-spending", "high-spending"), "engagement": ("quiet", "engaged")}


@dataclass
class Clustering:
    k: int
    silhouette: float
    means: np.ndarray
    stds: np.ndarray
    centroids: np.ndarray  # k x features, standardised
    labels: list[str]
    sizes: list[int]


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator, restarts: int = 4, iterations: int = 100) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's algorithm from k-means++ starts; the best of `restarts` by inertia."""
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(restarts):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            distance = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(axis=2), axis=1)
            total = distance.sum()
            centres.append(points[rng.choice(len(points), p=distance / total)] if total > 0 else points[rng.integers(len(points))])
        centroids = np.array(centres, dtype=float)
        for _ in range(iterations):
            assignment = np.argmin(((points[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
            updated = np.array([points[assignment == cluster].mean(axis=0) if np.any(assignment == cluster) else centroids[cluster]
                                for cluster in range(k)])
            if np.allclose(updated, centroids):
                break
            centroids = updated
        assignment = np.argmin(((points[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
        inertia = float(((points - centroids[assignment]) ** 2).sum())
        if best is None or inertia < best[2]:
            best = (centroids, assignment, inertia)
    assert best is not None
    return best


def silhouette(points: np.ndarray, assignment: np.ndarray) -> float:
    """Mean silhouette coefficient (Rousseeuw 1987) with Euclidean distances."""
    distances = np.sqrt(((points[:, None, :] - points[None]) ** 2).sum(axis=2))
    clusters = np.unique(assignment)
    if len(clusters) < 2:
        return -1.0
    scores = np.zeros(len(points))
    for index in range(len(points)):
        own = assignment == assignment[index]
        if own.sum() <= 1:
            continue
        inside = distances[index, own].sum() / (own.sum() - 1)
        outside = min(distances[index, assignment == other].mean() for other in clusters if other != assignment[index])
        scores[index] = (outside - inside) / max(inside, outside)
    return float(scores.mean())


def label(centroid: np.ndarray) -> str:
    words = [WORDS[feature][0 if value < -0.5 else 1] for feature, value in zip(FEATURES, centroid) if abs(value) > 0.5]
    return " ".join(words) + " customers" if words else "average customers"


def fit(warehouse: Warehouse) -> Clustering | None:
    """Choose k by silhouette on a sample and fit k-means; None with fewer than 20 customers."""
    rows = np.array(warehouse.query(
        f"select log_recency, log_frequency, log_monetary, log_engagement from {FEATURES_TABLE} order by customer_key"),
        dtype=float)
    if len(rows) < 20:
        return None
    rng = np.random.default_rng(SEED)
    means = rows.mean(axis=0)
    stds = rows.std(axis=0)
    stds[stds == 0] = 1.0
    points = (rows - means) / stds
    sample = points[rng.choice(len(points), size=min(SILHOUETTE_SAMPLE, len(points)), replace=False)]
    scored = []
    for k in K_RANGE:
        if k >= len(sample):
            break
        _, assignment, _ = kmeans(sample, k, np.random.default_rng(SEED + k))
        scored.append((silhouette(sample, assignment), k))
    best_score, best_k = max(scored, key=lambda item: (round(item[0], 12), -item[1]))
    fit_points = points if len(points) <= FIT_SAMPLE else points[rng.choice(len(points), size=FIT_SAMPLE, replace=False)]
    centroids, assignment, _ = kmeans(fit_points, best_k, np.random.default_rng(SEED))
    order = np.lexsort(centroids.T[::-1])  # stable cluster ids: sorted by centroid
    centroids = centroids[order]
    assignment = np.argmin(((fit_points[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
    labels = [label(centroid) for centroid in centroids]
    seen: dict[str, int] = {}
    for index, text in enumerate(labels):
        seen[text] = seen.get(text, 0) + 1
        if seen[text] > 1 or labels.count(text) > 1:
            labels[index] = f"{text} ({index + 1})"
    sizes = [int((assignment == cluster).sum()) for cluster in range(best_k)]
    return Clustering(best_k, best_score, means, stds, centroids, labels, sizes)


def store(warehouse: Warehouse, as_of: date, clustering: Clustering | None) -> None:
    """Replace this as_of_date's centroids in marts.customer_cluster_centroids (earlier dates stay)."""
    spark = warehouse.name == "spark"
    string, double = ("string", "double") if spark else ("varchar", "double precision" if warehouse.name == "postgres" else "double")
    fitted_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    selects = []
    clusters = [] if clustering is None else range(clustering.k)
    for cluster in clusters:
        assert clustering is not None
        values = [f"cast({cluster + 1} as integer) as cluster_id", f"cast('{clustering.labels[cluster]}' as {string}) as cluster_label"]
        for index, feature in enumerate(FEATURES):
            values += [f"cast({float(clustering.means[index])!r} as {double}) as {feature}_mean",
                       f"cast({float(clustering.stds[index])!r} as {double}) as {feature}_std",
                       f"cast({float(clustering.centroids[cluster, index])!r} as {double}) as {feature}_centroid_z"]
        values += [f"cast({clustering.k} as integer) as cluster_count",
                   f"cast({clustering.silhouette!r} as {double}) as silhouette_score",
                   f"cast({clustering.sizes[cluster]} as bigint) as fitted_members",
                   f"cast('{as_of.isoformat()}' as date) as as_of_date", f"cast('{fitted_at}' as timestamp) as fitted_at"]
        selects.append("select " + ", ".join(values))
    replace_dated_rows(warehouse, CENTROIDS_TABLE, as_of.isoformat(), selects)


def fit_and_store(warehouse: Warehouse, as_of: date) -> Clustering | None:
    clustering = fit(warehouse)
    store(warehouse, as_of, clustering)
    if clustering is None:
        print(f"clusters: too few customers with orders as of {as_of}; no clusters")
    else:
        print(f"clusters: k = {clustering.k} (silhouette {clustering.silhouette:.3f}): "
              + "; ".join(f"{label} {size:,}" for label, size in zip(clustering.labels, clustering.sizes)))
    return clustering

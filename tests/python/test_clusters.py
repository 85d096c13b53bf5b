"""k-means clusters: every customer with orders sits in the cluster of the nearest stored
centroid (recomputed here from the features), k and its silhouette are recorded, labels are
readable and distinct, the fit is deterministic, and the profile carries the cluster."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from conftest import Build
from segwh import clusters

FEATURES = ["recency", "frequency", "monetary", "engagement"]


def stored_centroids(built: Build) -> pd.DataFrame:
    columns = ["cluster_id", "cluster_label", "cluster_count", "silhouette_score"] + [
        f"{feature}_{part}" for feature in FEATURES for part in ("mean", "std", "centroid_z")]
    rows = built.rows(f"select {', '.join(columns)} from marts.customer_cluster_centroids "
                      f"where as_of_date = cast('{built.as_of_date}' as date) order by cluster_id")
    return pd.DataFrame(rows, columns=columns)


def test_every_customer_is_in_the_cluster_of_the_nearest_centroid(built: Build) -> None:
    centroids = stored_centroids(built)
    assert 2 <= len(centroids) <= 8 and (centroids.cluster_count == len(centroids)).all()
    features = pd.DataFrame(built.rows("select customer_key, log_recency, log_frequency, log_monetary, log_engagement "
                                       "from marts.customer_cluster_features"),
                            columns=["customer_key", *FEATURES]).set_index("customer_key").astype(float)
    means = np.array([float(centroids[f"{feature}_mean"].iloc[0]) for feature in FEATURES])
    stds = np.array([float(centroids[f"{feature}_std"].iloc[0]) for feature in FEATURES])
    centres = centroids[[f"{feature}_centroid_z" for feature in FEATURES]].to_numpy(dtype=float)
    points = (features.to_numpy() - means) / stds
    distances = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2)
    expected = pd.Series(centroids.cluster_id.to_numpy()[np.argmin(distances, axis=1)], index=features.index)
    assigned = pd.Series(dict(built.rows("select customer_key, cluster_id from marts.customer_clusters")))
    assert len(assigned) == len(features)
    margin = np.sort(distances, axis=1)[:, 1] - np.min(distances, axis=1)
    clear = pd.Series(margin > 1e-9, index=features.index)  # ties at float precision may go either way
    assert (assigned[expected.index][clear].astype(int) == expected[clear].astype(int)).all()


def test_k_silhouette_and_labels_are_recorded(built: Build) -> None:
    centroids = stored_centroids(built)
    silhouette = centroids.silhouette_score.astype(float)
    assert silhouette.nunique() == 1 and -1 < silhouette.iloc[0] <= 1
    labels = list(centroids.cluster_label)
    assert len(set(labels)) == len(labels) and all(label.endswith(")") or "customers" in label for label in labels)
    profiles = pd.DataFrame(built.rows("select cluster_id, member_count, centroid_monetary, average_monetary "
                                       "from marts.cluster_profiles"),
                            columns=["cluster_id", "member_count", "centroid_monetary", "average_monetary"])
    assert int(profiles.member_count.sum()) == built.scalar("select count(*) from marts.customer_cluster_features")
    assert built.scalar("select count(*) from marts.customer_profile where cluster_label is not null") == \
        built.scalar("select count(*) from marts.customer_clusters")


def test_the_fit_is_deterministic(built: Build) -> None:
    first = clusters.fit(built.warehouse)
    second = clusters.fit(built.warehouse)
    assert first is not None and second is not None
    assert first.k == second.k and np.array_equal(first.centroids, second.centroids)
    stored = stored_centroids(built)
    assert first.k == len(stored)
    assert np.allclose(first.centroids, stored[[f"{feature}_centroid_z" for feature in FEATURES]].to_numpy(dtype=float))
    assert date.fromisoformat(built.as_of_date)  # the centroids are the ones of this build's date

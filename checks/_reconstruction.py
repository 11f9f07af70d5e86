"""Data reconstruction error: how well a PCA fitted on the reference redraws a run.

The model, in one read:

1. **Encoding.** Each numeric (or boolean) column is standardised with the
   reference's mean and standard deviation. Each categorical column becomes one
   indicator per category holding at least :data:`MIN_SHARE` of the reference's
   rows (at most :data:`MAX_CATEGORIES`), plus one for every other value (unseen
   ones included), each standardised the same way. Nulls and infinite values are
   imputed at the reference mean (0 after standardising) and counted.
2. **PCA** keeps the fewest components whose explained share of variance reaches
   ``variance``. A row's *reconstruction error* is the Euclidean distance between
   its encoded vector and its projection back from those components; a run's value
   is the mean over its rows. A change in how columns move together (a correlation)
   moves rows off the fitted plane, so the error rises even when every column's own
   distribution is unchanged.
3. **Threshold.** The reference's rows are shuffled and cut into ``chunks`` chunks;
   each chunk's mean error is computed with a PCA (same number of components)
   fitted on the *other* chunks, so the reference figures are out-of-sample like a
   run's. A run of ``n`` rows is expected within ``mean ± sigma * sd_n``, where
   ``sd_n`` is the larger of the chunk means' standard deviation scaled from the
   chunk size to ``n`` and the rows' error standard deviation over ``sqrt(n)``,
   each widened for the reference mean's own sampling error (``1/n + 1/N`` in
   place of ``1/n``, for a reference of ``N`` rows); the band is at least
   ``tolerance * mean`` wide, so immaterial changes stay quiet on very large runs.

Everything the run needs is a few arrays, kept as JSON with the baseline; applying it
is numpy only (scikit-learn is imported to fit, never to check).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from modelhealth.checks.base import CheckError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MIN_CHUNK_ROWS", "band", "encode", "errors", "fit", "run_error", "select"]

MIN_CHUNK_ROWS = 20
"""Fewest reference rows per chunk; fewer make the chunk spread meaningless."""
MIN_SHARE = 0.01
MAX_CATEGORIES = 20
BATCH_ROWS = 50_000
MAX_FIT_ROWS = 100_000
"""Larger references are sampled down to this many rows for fitting."""


def _kind(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "categorical"


def _numeric(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    values[~np.isfinite(values)] = np.nan
    return values


def select(
    frame: pd.DataFrame, columns: list[str], *, explicit: bool
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Column encodings fitted on ``frame``, and the columns left out, with why.

    Raises:
        CheckError: an explicitly named column is missing, constant, all null or a
            datetime; or fewer than two columns are usable.
    """
    encodings: list[dict[str, Any]] = []
    left_out: dict[str, str] = {}
    for name in columns:
        if name not in frame.columns:
            if explicit:
                raise CheckError(f"column {name!r} is not in the reference data")
            continue
        series = frame[name]
        kind = _kind(series)
        why = None
        if kind == "datetime":
            why = "a datetime column"
        elif series.isna().all():
            why = "all null"
        elif kind == "numeric":
            values = _numeric(series)
            finite = values[~np.isnan(values)]
            if finite.size == 0:
                why = "no finite value"
            elif float(np.std(finite)) == 0.0:
                why = "constant"
            else:
                mean, scale = float(np.mean(finite)), float(np.std(finite))
                encodings.append(
                    {"name": name, "kind": kind, "mean": mean, "scale": scale}
                )
        else:
            shares = series.dropna().astype(str).value_counts(normalize=True)
            if len(shares) < 2:
                why = "constant"
            else:
                kept = [str(c) for c, s in shares.items() if s >= MIN_SHARE]
                encodings.append(
                    {"name": name, "kind": kind, "categories": kept[:MAX_CATEGORIES]}
                )
        if why is not None:
            if explicit:
                raise CheckError(f"column {name!r} is {why}; it cannot be encoded")
            left_out[name] = why
    if len(encodings) < 2:
        why = f" (left out: {_said(left_out)})" if left_out else ""
        raise CheckError(
            "multivariate drift needs at least 2 usable columns, found "
            f"{len(encodings)}{why}"
        )
    return encodings, left_out


def _said(left_out: dict[str, str]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in left_out.items())


def encode(
    frame: pd.DataFrame, encodings: list[dict[str, Any]]
) -> tuple[np.ndarray, int]:
    """The raw (unstandardised) encoded matrix and the number of imputed cells."""
    blocks: list[np.ndarray] = []
    for enc in encodings:
        if enc["name"] not in frame.columns:
            raise CheckError(f"column {enc['name']!r} is not in the run data")
        series = frame[enc["name"]]
        if enc["kind"] == "numeric":
            values = _numeric(series) if _kind(series) == "numeric" else None
            if values is None:
                raise CheckError(
                    f"column {enc['name']!r} was numeric in the reference and is "
                    f"{series.dtype} in the run"
                )
            blocks.append(((values - enc["mean"]) / enc["scale"])[:, None])
        else:
            blocks.append(_indicators(series, enc["categories"]))
    matrix = np.concatenate(blocks, axis=1)
    return matrix, int(np.isnan(matrix).sum())


def _indicators(series: pd.Series, categories: list[str]) -> np.ndarray:
    """One column per kept category and one for every other value; nulls NaN."""
    import pandas as pd

    missing = series.isna().to_numpy()
    codes = pd.Categorical(series.astype(str), categories=categories).codes
    codes = np.where(codes < 0, len(categories), codes)  # other and unseen values
    out = np.zeros((len(series), len(categories) + 1))
    out[np.arange(len(series)), codes] = 1.0
    out[missing] = np.nan
    return out


def _standardise(matrix: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    out: np.ndarray = (matrix - mean) / scale
    out[np.isnan(out)] = 0.0  # imputed at the reference mean
    return out


def errors(z: np.ndarray, center: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Each row's reconstruction error (Euclidean) for standardised rows ``z``."""
    centered = z - center
    # components are orthonormal rows: |x - back(x)|^2 = |x|^2 - |projection|^2
    kept = centered @ components.T
    left = np.einsum("ij,ij->i", centered, centered) - np.einsum("ij,ij->i", kept, kept)
    return np.asarray(np.sqrt(np.clip(left, 0.0, None)))


def fit(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    explicit: bool,
    variance: float,
    chunks: int,
) -> dict[str, Any]:
    """Fit the encoding, the PCA and the reference's error spread (see the module).

    Raises:
        CheckError: bad columns (see :func:`select`) or fewer than
            ``chunks * MIN_CHUNK_ROWS`` rows.
    """
    from sklearn.decomposition import PCA

    need = chunks * MIN_CHUNK_ROWS
    if len(frame) < need:
        raise CheckError(
            f"the reference has {len(frame):,} rows; multivariate drift with "
            f"{chunks} chunks needs at least {need:,} ({MIN_CHUNK_ROWS} per chunk)"
        )
    rng = np.random.default_rng(0)
    if len(frame) > MAX_FIT_ROWS:
        frame = frame.iloc[rng.choice(len(frame), MAX_FIT_ROWS, replace=False)]
    encodings, left_out = select(frame, columns, explicit=explicit)
    raw, _ = encode(frame, encodings)
    mean = np.nanmean(raw, axis=0)
    scale = np.nanstd(raw, axis=0)
    scale[scale == 0] = 1.0  # an indicator that never fires: keep it at 0
    z = _standardise(raw, mean, scale)
    # n >> d: the eigenvectors of the d x d covariance, not an n x d SVD
    pca = PCA(n_components=variance, svd_solver="covariance_eigh").fit(z)
    k = int(pca.n_components_)
    order = rng.permutation(len(z))
    chunk_means: list[float] = []
    row_errors: list[np.ndarray] = []
    for part in np.array_split(order, chunks):
        rest = np.setdiff1d(order, part, assume_unique=True)
        held = PCA(n_components=k, svd_solver="covariance_eigh").fit(z[rest])
        err = errors(z[part], held.mean_, held.components_)
        chunk_means.append(float(err.mean()))
        row_errors.append(err)
    every = np.concatenate(row_errors)
    return {
        "columns": encodings,
        "left_out": left_out,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "center": pca.mean_.tolist(),
        "components": pca.components_.tolist(),
        "variance_kept": float(pca.explained_variance_ratio_.sum()),
        "chunk_rows": len(z) // chunks,
        "chunk_errors": chunk_means,
        "error_mean": float(every.mean()),
        "row_error_sd": float(every.std(ddof=1)),
        "reference_rows": len(z),
    }


def band(state: dict[str, Any], rows: int, sigma: float, tolerance: float) -> float:
    """Half the width of the band a run of ``rows`` rows is expected in."""
    # the run's mean and the reference's own mean are both estimates
    spread = 1 / rows + 1 / state["reference_rows"]
    chunk_sd = float(np.std(state["chunk_errors"], ddof=1))
    by_chunks = chunk_sd * math.sqrt(state["chunk_rows"] * spread)
    by_rows = float(state["row_error_sd"]) * math.sqrt(spread)
    floor = tolerance * float(state["error_mean"])
    return max(sigma * max(by_chunks, by_rows), floor)


def run_error(frame: pd.DataFrame, state: dict[str, Any]) -> tuple[float, int]:
    """The run's mean reconstruction error and how many cells were imputed.

    Rows are encoded :data:`BATCH_ROWS` at a time, so memory follows the batch.
    """
    mean, scale = np.asarray(state["mean"]), np.asarray(state["scale"])
    center, components = np.asarray(state["center"]), np.asarray(state["components"])
    total, imputed = 0.0, 0
    for start in range(0, len(frame), BATCH_ROWS):
        raw, nulls = encode(frame.iloc[start : start + BATCH_ROWS], state["columns"])
        total += float(errors(_standardise(raw, mean, scale), center, components).sum())
        imputed += nulls
    return total / len(frame), imputed

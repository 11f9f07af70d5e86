"""Profiles: a run's data reduced once to small, mergeable, JSON-able column summaries.

A :class:`Profile` is a row count plus one :class:`ColumnProfile` per column. What a
column profile holds depends on its ``kind``:

- ``numeric`` (int/float dtypes): ``count`` of finite values, ``nulls`` (NaN/NA),
  ``infinite`` (+/-inf, kept out of everything else), ``min``/``max``, ``mean`` and
  ``m2`` (sum of squared deviations, so :attr:`ColumnProfile.variance` merges
  exactly), ``quantiles`` (p01..p99) read from ``sketch`` (a DataSketches KLL
  sketch of the finite values, base64; exact up to 200 values, else within a
  normalized rank error of 1.33%, see :mod:`modelhealth.checks._sketch`) and a
  histogram: ``edges`` are the *inner* bin edges (k-1 floats for k bins, the outer
  bins are open to -inf/+inf so JSON never holds an infinity) and ``counts`` has
  ``len(edges) + 1`` ints. Bin ``i`` holds ``edges[i-1] <= x < edges[i]``.
  ``tails`` holds the sums of the values in the two open outer bins, so their
  means are known (the Wasserstein distance from a profile places the outer bins'
  mass by them, see :mod:`modelhealth.checks._ecdf`). ``outside`` counts the
  values below and above the reference's range, when the column was profiled on
  a reference.
- ``categorical`` (object/str/category) and ``boolean``: ``categories`` maps each of
  the most frequent values (as ``str``) to its count, ``other`` counts the rest and
  ``distinct`` is the number of distinct values seen.
- ``datetime``: ``count``, ``nulls``, ``min``/``max`` as ISO strings.
- ``binary``: ``count``, ``nulls`` and the values' lengths.

A nested column is profiled as its flat parts (:mod:`modelhealth.checks._nested`):
a list or map column's lengths are a numeric profile whose ``nested`` says which
and ``empty`` counts the empty ones. A column whose values could not be typed has
only ``error``, the message naming it.

Profiles are stored per run and per baseline (:meth:`Profile.to_dict`) and drift is
computed from them, so a run's numeric histograms must be binned like the
reference's: :func:`~modelhealth.checks.profiling.profile_frame` takes the reference
profile and reuses its edges.
Without a reference, edges are the column's own percentiles (100 equal-frequency
bins by default, deduplicated for discrete or constant columns): fine enough that
KS and Wasserstein from profiles are close to exact; binned statistics merge them
into 10 groups (see :mod:`modelhealth.checks._methods`).

:meth:`Profile.merge` combines profiles of chunks: counts, min/max, moments,
``outside`` and categories merge exactly (categories are not re-truncated, and
``distinct`` is exact only while neither side truncated its categories, else a
lower bound); histograms merge only when their edges are equal (else they are
dropped); quantiles are read from the merged sketch. A profile stored before
sketches has none: merged with it, quantiles are the count-weighted mean of both
sides' and the result has no sketch.

:class:`~modelhealth.checks.profiling.ProfilePass` profiles a run batch by batch,
every batch binned alike, and cuts categories once at the end, so that its
profile equals one pass's over all rows (see docs/profiles.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    pass

__all__ = [
    "QUANTILES",
    "ColumnKind",
    "ColumnProfile",
    "Profile",
]

ColumnKind = Literal["numeric", "categorical", "boolean", "datetime", "binary"]

QUANTILES: dict[str, float] = {
    "p01": 0.01,
    "p05": 0.05,
    "p25": 0.25,
    "p50": 0.5,
    "p75": 0.75,
    "p95": 0.95,
    "p99": 0.99,
}
"""The quantiles every numeric profile keeps, by name."""


@dataclass(frozen=True)
class ColumnProfile:
    """One column's summary; which fields are filled depends on :attr:`kind`."""

    name: str
    kind: ColumnKind
    count: int = 0
    nulls: int = 0
    infinite: int = 0
    min: float | str | None = None
    max: float | str | None = None
    mean: float | None = None
    m2: float = 0.0
    quantiles: dict[str, float] = field(default_factory=dict)
    edges: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    tails: list[float] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    other: int = 0
    distinct: int = 0
    sketch: str = ""
    outside: list[int] = field(default_factory=list)
    nested: str = ""
    empty: int = 0
    error: str = ""

    @property
    def variance(self) -> float | None:
        """Sample variance (ddof=1, as pandas); 0.0 for one value, None for none."""
        if self.count == 0 or self.mean is None:
            return None
        return self.m2 / (self.count - 1) if self.count > 1 else 0.0

    def to_dict(self) -> dict[str, object]:
        """A JSON-able dict (no NaN or infinity), with ``variance`` for readers."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["variance"] = self.variance
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnProfile:
        """Rebuild a column profile from :meth:`to_dict` output (extra keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]

    def merge(self, other: ColumnProfile) -> ColumnProfile:
        """Combine with the same column's profile from another chunk.

        A boolean column and a categorical one merge as categorical: a bool column
        with one null arrives as ``object`` and is profiled as categorical.

        Raises:
            ValueError: the two profiles are of different columns or kinds.
        """
        kinds = {self.kind, other.kind}
        if kinds == {"boolean", "categorical"}:
            return replace(self, kind="categorical").merge(
                replace(other, kind="categorical")
            )
        if (self.name, self.kind) != (other.name, other.kind):
            raise ValueError(
                f"cannot merge column {self.name!r} ({self.kind}) "
                f"with {other.name!r} ({other.kind})"
            )
        if self.error or other.error:  # an unreadable column stays unreadable
            return self if self.error else other
        if other.count == 0 or self.count == 0:  # an empty side adds only its nulls
            keep, empty = (self, other) if other.count == 0 else (other, self)
            outside = keep.outside if len(keep.outside) == 2 else empty.outside
            return replace(
                keep,
                nulls=keep.nulls + empty.nulls,
                infinite=keep.infinite + empty.infinite,
                empty=keep.empty + empty.empty,
                outside=list(outside),
            )
        n = self.count + other.count
        merged = replace(
            self,
            count=n,
            nulls=self.nulls + other.nulls,
            infinite=self.infinite + other.infinite,
            empty=self.empty + other.empty,
            min=_pick(self.min, other.min, lower=True),
            max=_pick(self.max, other.max, lower=False),
        )
        if self.kind == "numeric":
            merged = _merge_numeric(merged, self, other)
        elif self.kind in ("categorical", "boolean"):
            cats = dict(self.categories)
            for key, value in other.categories.items():
                cats[key] = cats.get(key, 0) + value
            seen = len([v for v in cats.values() if v > 0])
            complete = self.other == 0 and other.other == 0
            distinct = seen if complete else max(self.distinct, other.distinct, seen)
            merged = replace(
                merged,
                categories=dict(sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))),
                other=self.other + other.other,
                distinct=distinct,
            )
        return merged


def _pick(
    a: float | str | None, b: float | str | None, *, lower: bool
) -> float | str | None:
    """The lower (or higher) of two bounds; datetime bounds are ISO strings."""
    if a is None or b is None:
        return a if b is None else b
    if isinstance(a, str) or isinstance(b, str):
        import pandas as pd

        a_first = pd.Timestamp(a) <= pd.Timestamp(b)
        return a if a_first == lower else b
    return float(min(a, b) if lower else max(a, b))


def _merge_numeric(
    merged: ColumnProfile, a: ColumnProfile, b: ColumnProfile
) -> ColumnProfile:
    """Chan et al.'s parallel update of mean and M2; both sides have values."""
    n = a.count + b.count
    ma, mb = a.mean or 0.0, b.mean or 0.0
    delta = mb - ma
    sketch = ""
    if a.sketch and b.sketch:
        from modelhealth.checks import _sketch

        both = _sketch.merge(a.sketch, b.sketch)
        sketch = _sketch.encode(both)
        levels = list(QUANTILES.values())
        quantiles = dict(zip(QUANTILES, _sketch.read(both, levels), strict=True))
    else:  # a profile stored before sketches: the count-weighted mean of both sides
        quantiles = {
            key: (
                a.quantiles.get(key, 0.0) * a.count
                + b.quantiles.get(key, 0.0) * b.count
            )
            / n
            for key in QUANTILES
            if key in a.quantiles and key in b.quantiles
        }
    same_bins = a.edges == b.edges
    if same_bins and len(a.counts) == len(b.counts):
        counts = [x + y for x, y in zip(a.counts, b.counts, strict=True)]
        tails = [x + y for x, y in zip(a.tails, b.tails, strict=False)]
    else:  # different bins cannot be added up; say so with an empty histogram
        counts, tails = [], []
    outside: list[int] = []
    if same_bins and len(a.outside) == 2 and len(b.outside) == 2:
        outside = [a.outside[0] + b.outside[0], a.outside[1] + b.outside[1]]
    return replace(
        merged,
        mean=ma + delta * b.count / n,
        m2=a.m2 + b.m2 + delta * delta * a.count * b.count / n,
        quantiles=quantiles,
        edges=list(a.edges) if counts else [],
        counts=counts,
        tails=tails if len(tails) == 2 else [],
        sketch=sketch,
        outside=outside,
    )


@dataclass(frozen=True)
class Profile:
    """A frame's profile: its row count and one :class:`ColumnProfile` per column."""

    row_count: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """``{"row_count": n, "columns": {name: {...}}}``; JSON-able, no NaN/inf."""
        return {
            "row_count": self.row_count,
            "columns": {name: col.to_dict() for name, col in self.columns.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Profile:
        """Rebuild a profile from :meth:`to_dict` output (e.g. read back from JSON)."""
        columns = data.get("columns") or {}
        assert isinstance(columns, Mapping)
        row_count = data.get("row_count", 0)
        assert isinstance(row_count, int)
        return cls(
            row_count=row_count,
            columns={
                name: ColumnProfile.from_dict(col) for name, col in columns.items()
            },
        )

    def merge(self, other: Profile) -> Profile:
        """The profile of both frames' rows together (see the module docstring).

        A column present on one side only is kept, with the other side's rows
        counted as its nulls. A column whose kind changed between the two (numeric
        in one, text in the other) keeps this side's profile: in a window of runs,
        ``self`` is the newer, and a type change is the schema check's to report.
        """
        columns: dict[str, ColumnProfile] = {}
        for name in [
            *self.columns,
            *(c for c in other.columns if c not in self.columns),
        ]:
            mine, theirs = self.columns.get(name), other.columns.get(name)
            if mine is None or theirs is None:
                only = mine if theirs is None else theirs
                assert only is not None
                missing = other.row_count if theirs is None else self.row_count
                columns[name] = replace(only, nulls=only.nulls + missing)
            elif _compatible(mine.kind, theirs.kind):
                columns[name] = mine.merge(theirs)
            else:
                columns[name] = mine
        return Profile(row_count=self.row_count + other.row_count, columns=columns)


def _compatible(a: str, b: str) -> bool:
    return a == b or {a, b} == {"boolean", "categorical"}

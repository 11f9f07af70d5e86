"""Reading ahead keeps the batches' order, raises a reader's error where it
happened, and stops its thread when the reader is left early."""

from __future__ import annotations

import threading

import pytest

from modelhealth.engine.prefetch import read_ahead
from modelhealth.errors import DataError


def test_items_come_in_order():
    assert list(read_ahead(iter(range(100)))) == list(range(100))
    assert list(read_ahead(iter([]))) == []


def test_an_error_is_raised_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise DataError("the inputs file 'x.parquet' could not be read")

    reader = read_ahead(items())
    assert [next(reader), next(reader)] == [1, 2]
    with pytest.raises(DataError, match=r"x\.parquet"):
        next(reader)


def test_leaving_early_stops_the_reader():
    produced = []

    def items():
        for i in range(1000):
            produced.append(i)
            yield i

    before = threading.active_count()
    reader = read_ahead(items(), depth=1)
    assert next(reader) == 0
    reader.close()
    assert threading.active_count() == before
    assert len(produced) <= 3  # one ahead, not the whole file

"""Read ahead: the next batch is decoded while the passes work on this one.

Decoding Parquet and parsing CSV run in Arrow's and pandas' C code without
holding the GIL, so a reader thread one batch ahead overlaps the read with the
profile and the checks' passes. Memory holds at most ``depth`` batches more.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

_DONE = object()


def read_ahead(items: Iterator[T], depth: int = 1) -> Generator[T, None, None]:
    """``items``, produced in a thread up to ``depth`` ahead of the consumer.

    An exception raised while producing is raised here, at the item where it
    happened; closing the generator early stops the thread.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(ready, item, stop):
                    return
            _put(ready, _DONE, stop)
        except BaseException as exc:  # handed to the consumer, raised there
            _put(ready, _Failed(exc), stop)

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error.with_traceback(item.error.__traceback__)
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        thread.join()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _put(ready: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer has gone; whether it was put."""
    while not stop.is_set():
        with contextlib.suppress(queue.Full):
            ready.put(item, timeout=0.05)
            return True
    return False

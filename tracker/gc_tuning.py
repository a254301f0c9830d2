"""Tuning Python's garbage collector for a short process that loads much and keeps it all.

What a process loads (Typer, click, tracker; SQLAlchemy for a server or a new schema) lives as
long as it does, so the collector need not walk it again: `gc.freeze()` moves it out of the
collector's sight, during the command and in the collection Python runs at exit. Objects made
after a freeze are collected as usual, the young ones every 10,000 allocations rather than 700
(importing sqlmodel sets off many collections otherwise). A load freezes again once its imports
are done, before it allocates its rows. tests/test_speed_tricks.py checks that each is applied,
and that a load puts the collector back as it found it. What it saves: docs/speed.md, "Tuning the
garbage collector".
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = (10_000, 10, 10)  # gc.set_threshold's: young generation, then the two older ones


@contextmanager
def for_the_process() -> Iterator[None]:
    """Around a whole command (tracker.cli.main): not undone, the process ends with the command."""
    gc.set_threshold(*THRESHOLD)
    gc.freeze()
    try:
        yield
    finally:
        gc.freeze()  # what the command made, out of the sight of the collection at exit


@contextmanager
def during_load() -> Iterator[None]:
    """Around a load's writing: its imports frozen, the young generation collected less often;
    then the threshold as it was, and nothing left frozen that was not (when something was, as
    under `main`, everything stays frozen: the process is about to end)."""
    threshold = gc.get_threshold()
    already_frozen = gc.get_freeze_count() > 0
    gc.set_threshold(*THRESHOLD)
    gc.freeze()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not already_frozen:
            gc.unfreeze()

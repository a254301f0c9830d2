"""A progress bar on stderr for long loads and exports, shown only to a person at a terminal."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 5_000  # rows; below this a load or export is over before a bar would help
_WIDTH = 30


class Progress:
    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.active = total > THRESHOLD and sys.stderr.isatty()
        self._step = max(total // 200, 1)

    def advance(self, count: int = 1) -> None:
        before = self.done
        self.done += count
        if self.active and (self.done // self._step != before // self._step or self.done >= self.total):
            self._draw()

    def _draw(self) -> None:
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(share * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {share:4.0%} {self.done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.active:
            sys.stderr.write("\n")
            sys.stderr.flush()


@contextmanager
def progress(total: int, label: str) -> Iterator[Progress]:
    bar = Progress(total, label)
    try:
        yield bar
    finally:
        bar.close()

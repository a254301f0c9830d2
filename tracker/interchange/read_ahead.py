"""A file's rows read and checked in a second process while this one writes the rows before them.

A CSV load has two halves that meet only when a row is written: reading and checking its cells
(tracker.interchange.csv_file), and writing it (tracker.creation, snapshots). With a second core,
a forked child does the first half and hands the checked rows over a pipe, a batch at a time,
each with the problems found while it was read: about a fifth of a 100,000-row load's time
(docs/speed.md, "Fourth round: a second core"). The parent gets the same rows, and the problems
in the same order, as reading in-process gives; that is what it does where a fork is unsafe or
of no use (not Linux, a process running threads, one core, a small file).

The child only reads the file and writes to the pipe. It never touches the parent's database
connection, and it leaves by os._exit, so no `finally` or exit handler of the parent's runs in it.
"""

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any, BinaryIO, TypeVar

from tracker.errors import TrackerError
from tracker.interchange.problems import Problems

T = TypeVar("T")
BATCH = 1_000  # items a message carries: the child is at most a few batches ahead (the pipe's buffer)
_PIPE_SIZE = 1 << 20
# A fork costs about 5 ms and saves about 25 µs a row: a smaller file is read in this process.
# (Tests set it to 0, or beyond any file, to compare the two ways.)
FORK_FROM = 1_000
_NONE_FOUND: list[tuple[str, str]] = []  # shared by items without problems: pickled once per message


def read_ahead(produce: Callable[[Problems], Iterator[T]], problems: Problems, *, size: int) -> Iterator[T]:
    """What `produce(problems)` yields, produced in a forked child when that helps (`size`: the
    items expected); the problems it finds are added to `problems` just before the item they
    were found in, as in-process."""
    if not _may_fork(size):
        yield from produce(problems)
        return
    import fcntl  # Unix's alone: here only on Linux (_may_fork)

    read_end, write_end = os.pipe()
    with suppress(OSError):  # room for a few batches, so the child can keep ahead (Linux allows 1 MiB)
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    # Ctrl-C reaches the whole process group. It is held until each side is ready for it: the child
    # then ignores it (the parent stops the load, then the child; a KeyboardInterrupt in the child
    # would unwind through the parent's frames, its transaction's among them), and the parent gets
    # it inside the `try` that reaps the child.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit): read here
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read_end)
        os.close(write_end)
        yield from produce(problems)
        return
    if pid == 0:  # the child: nothing may escape this block (the parent reads its pipe, not its status)
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read_end)
            with open(write_end, "wb") as pipe:
                _produce_into(pipe, produce, problems.origin)
        finally:
            os._exit(0)
    finished = False
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write_end)
        with open(read_end, "rb") as pipe:
            while True:
                kind, payload = _next_message(pipe, problems.origin)
                if kind == "items":
                    for found, item in payload:
                        problems.lines.extend(found)
                        yield item
                elif kind == "end":
                    problems.lines.extend(payload)
                    finished = True
                    return
                else:
                    raise payload
    finally:
        if not finished:  # the load stopped early, or the child failed: it is not needed any more
            os.kill(pid, signal.SIGKILL)  # not reaped yet, so it is there to be killed
        os.waitpid(pid, 0)


def _may_fork(size: int) -> bool:
    return (
        size >= FORK_FROM
        and sys.platform == "linux"  # elsewhere a fork can break system libraries (macOS) or is absent
        and threading.active_count() == 1  # a fork copies one thread: another's locks would stay held
        and len(os.sched_getaffinity(0)) > 1
    )


def _produce_into(pipe: BinaryIO, produce: Callable[[Problems], Iterator[T]], origin: str) -> None:
    """The child's work: every item with the problems found while it was produced, then the
    problems found after the last item; or the exception that stopped it (which stops the load
    whatever the items before it held)."""
    problems = Problems(origin)
    batch: list[tuple[list[tuple[str, str]], T]] = []
    seen = 0
    try:
        try:
            for item in produce(problems):
                found = problems.lines[seen:] if len(problems.lines) > seen else _NONE_FOUND
                seen = len(problems.lines)
                batch.append((found, item))
                if len(batch) == BATCH:
                    _send(pipe, "items", batch)
                    batch = []
            _send(pipe, "items", batch)
            _send(pipe, "end", problems.lines[seen:])
        except BrokenPipeError:
            raise
        except Exception as error:  # reading failed, or an item could not be sent
            _send(pipe, "raised", _portable(error))
    except BrokenPipeError:
        pass  # the parent stopped reading: its load is over


def _send(pipe: BinaryIO, kind: str, payload: object) -> None:
    # (pickle and traceback are imported where used: a small file's load needs neither, 5 ms.)
    # Pickled whole, then written: pickled into the pipe, the rest of a batch was pickled while
    # the parent waited to read it (~20 ms a batch at 100k, measured).
    import pickle

    pipe.write(pickle.dumps((kind, payload), pickle.HIGHEST_PROTOCOL))
    pipe.flush()


def _portable(error: Exception) -> Exception:
    """The exception as the parent raises it: a TrackerError as it is (one line for the user);
    anything else, a fault of tracker's own, named on its first line, the child's traceback below."""
    if isinstance(error, TrackerError):
        return error
    import traceback

    where = "".join(traceback.format_exception(error))
    return RuntimeError(f"{type(error).__name__}: {error} (in the process reading the file)\n{where}")


def _next_message(pipe: BinaryIO, origin: str) -> tuple[str, Any]:
    import pickle

    try:
        message: tuple[str, Any] = pickle.load(pipe)
    except (EOFError, pickle.UnpicklingError):  # the child died before, or while, it sent one
        raise TrackerError(f"{origin}: the process reading it stopped before the end; nothing was loaded") from None
    return message

"""Input that can be read only once: `-` (standard input), a pipe, a process substitution.

Every loader reads its file more than once (a CSV's header, then its rows; an export's head, then
its commitments), so such input is first copied whole, as it streams, to a private temporary
file, named after the input with the extension its first bytes suggest when it has none (a zip
archive: a workbook, .xlsx; `{` or `[`: JSON; a `format:` key or `---`: YAML; anything else:
CSV), so that `--format` is needed only to overrule that. Messages name the input as it was
given (`standard input`, `/dev/fd/63`).
"""

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tracker.errors import TrackerError

STANDARD_INPUT = "-"
_KNOWN_EXTENSIONS = (".csv", ".xlsx", ".json", ".yaml", ".yml")
_YAML_START = re.compile(rb"^(?:\s*#[^\n]*\n)*\s*(?:---|format\s*:)")


def is_stream(path: str) -> bool:
    """Whether `path` is standard input or something else that can be read only once."""
    from tracker.files import is_stream as is_pipe_or_device

    return path == STANDARD_INPUT or is_pipe_or_device(path)


@contextmanager
def readable(paths: Sequence[str]) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The paths to read (each stream copied to a temporary file) and, for each copy, the name
    messages give it."""
    if not any(is_stream(path) for path in paths):
        yield list(paths), {}
        return
    with tempfile.TemporaryDirectory(prefix="tracker-load-") as folder:
        readable_paths, shown = [], {}
        for place, path in enumerate(paths):
            if not is_stream(path):
                readable_paths.append(path)
                continue
            copy = _copied(path, os.path.join(folder, str(place)))
            readable_paths.append(copy)
            shown[copy] = "standard input" if path == STANDARD_INPUT else path
        yield readable_paths, shown


def _copied(path: str, folder: str) -> str:
    os.mkdir(folder)
    name = "standard-input" if path == STANDARD_INPUT else os.path.basename(path.rstrip("/")) or "input"
    target = os.path.join(folder, name)
    if path == STANDARD_INPUT and sys.stdin.isatty():
        raise TrackerError("'-' reads standard input, and nothing is piped in; e.g. 'curl URL | tracker load -'")
    try:
        with open(target, "wb") as out:
            if path == STANDARD_INPUT:
                shutil.copyfileobj(sys.stdin.buffer, out)
            else:
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, out)
    except OSError as error:
        shown = "standard input" if path == STANDARD_INPUT else path
        raise TrackerError(f"cannot read {shown}: {error.strerror or error}") from None
    if os.path.splitext(name)[1].lower() in _KNOWN_EXTENSIONS:
        return target
    with open(target, "rb") as file:
        start = file.read(4096).lstrip(b"\xef\xbb\xbf")
    if start.startswith(b"PK\x03\x04"):  # a zip archive, as every .xlsx workbook is
        extension = ".xlsx"
    else:
        extension = ".json" if start.lstrip()[:1] in (b"{", b"[") else ".yaml" if _YAML_START.match(start) else ".csv"
    os.rename(target, target + extension)
    return target + extension


def named_as_given(message: str, shown: dict[str, str]) -> str:
    """A message with each temporary copy's path replaced by the name of the input it holds."""
    for copy, name in shown.items():
        message = message.replace(copy, name)
    return message

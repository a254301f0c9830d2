"""Reading a YAML or JSON document from a file, with one clear message when it cannot be read.

A JSON export can be hundreds of megabytes, so `read_json_head` reads a JSON document without
its one big list, and `StreamedList` hands that list's items out one at a time (ijson, whose C
backend parses faster than the standard library): memory stays flat in the size of the file.
"""

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from tracker.errors import TrackerError

_SMALL_JSON = 16 * 1024 * 1024  # bytes; a broken file this small is parsed whole again to name the line
_NESTING = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}  # ijson's events


_BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def text_encoding(path: str, given: str | None = None) -> str:
    """The encoding to read `path` as text in: the one a byte-order mark says (UTF-8 or UTF-16,
    which spreadsheet programs write), else `given` (--encoding), else UTF-16 where its zero
    bytes show it unambiguously, else UTF-8."""
    try:
        with open(path, "rb") as file:
            start = file.read(64)
    except OSError:
        return given or "utf-8"  # opened() names the problem
    for mark, encoding in _BYTE_ORDER_MARKS:
        if start.startswith(mark):
            return encoding
    return given or _utf16_without_mark(start) or "utf-8"


def _utf16_without_mark(start: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark, told by its zero bytes: text in UTF-8 (or any
    8-bit encoding) has none, and a header's Latin letters put one beside every letter."""
    even, odd = start[0::2], start[1::2]
    if len(start) < 4 or b"\x00" not in start:
        return None
    if odd.count(0) * 2 >= len(odd) and not even.count(0):
        return "utf-16-le"
    if even.count(0) * 2 >= len(even) and not odd.count(0):
        return "utf-16-be"
    return None


@contextmanager
def opened(path: str, *, text: bool, encoding: str | None = None, csv: bool = False) -> Iterator[IO[Any]]:
    """A file opened to read, as text (UTF-8 or UTF-16 as a byte-order mark says, else `encoding`,
    else UTF-8; line ends read as \\n) or as bytes; a file that cannot be read, or is not in its
    encoding, is one clear message."""
    try:
        # closed below
        file = open(path, encoding=text_encoding(path, encoding)) if text else open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise TrackerError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise TrackerError(f"{path} is a folder, not a file") from None
    except OSError as error:
        raise TrackerError(f"cannot read {path}: {error.strerror}") from None
    with file:
        try:
            yield file
        except UnicodeDecodeError:
            raise (_not_utf8(path, csv=csv) if encoding is None else _not_in(path, encoding)) from None


def read_text(path: str) -> str:
    """A file's text (UTF-8, with or without a byte-order mark)."""
    with opened(path, text=True) as file:
        return str(file.read())


def _not_utf8(path: str, *, csv: bool = False) -> TrackerError:
    if not csv:
        return TrackerError(f"{path} is not UTF-8 text; save it with the UTF-8 encoding")
    return TrackerError(
        f"{path} is not UTF-8 text; save it with the UTF-8 encoding, or give its encoding with --encoding "
        "(for example cp1252, as Excel on Windows saves 'CSV')"
    )


def _not_in(path: str, encoding: str) -> TrackerError:
    return TrackerError(f"{path} cannot be read as {encoding} text; give its encoding with --encoding")


def read_document(path: str) -> Any:
    """Parse a .json file as JSON and anything else as YAML."""
    text = read_text(path)
    if path.lower().endswith(".json"):
        import json

        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise TrackerError(f"{path} is not valid JSON at line {error.lineno}: {error.msg}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # a safe loader: C speed when libyaml is there
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TrackerError(f"{path} is not valid YAML{where}") from None


class StreamedList:
    """The list under a top-level key of a JSON file, read an item at a time each time it is iterated."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key

    def __iter__(self) -> Iterator[Any]:
        import ijson

        with _json_errors(self.path), _open_json(self.path) as file:
            yield from ijson.items(file, f"{self.key}.item", use_float=True)


def read_json_head(path: str, streamed: str, wanted: Sequence[str]) -> Any:
    """A JSON document with the list under the top-level key `streamed` left in the file (a
    `StreamedList`). Reading stops at that list once every key of `wanted` has been read, as
    they come before it in an export; otherwise the list is skipped over to find them."""
    import ijson

    with _json_errors(path), _open_json(path) as file:
        events = ijson.parse(file, use_float=True)
        if next(events)[1] != "start_map":
            return None  # not a mapping, and so no document of ours: the caller says what it should be
        head: dict[str, Any] = {}
        for _, event, value in events:
            if event == "end_map":
                break
            key = value  # a top-level map_key; its value's events follow
            _, event, value = next(events)
            if key != streamed or event != "start_array":
                head[key] = _built(event, value, events)
                continue
            head[key] = StreamedList(path, key)
            if all(name in head for name in wanted):
                break
            _skip_array(events)
        return head


def _built(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """The value whose first event is (event, value), built from the events that follow."""
    import ijson

    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = _NESTING.get(event, 0)
    while depth > 0:
        _, event, value = next(events)
        builder.event(event, value)
        depth += _NESTING.get(event, 0)
    return builder.value


def _skip_array(events: Iterator[tuple[str, str, Any]]) -> None:
    depth = 1
    while depth > 0:
        depth += _NESTING.get(next(events)[1], 0)


@contextmanager
def _open_json(path: str) -> Iterator[IO[bytes]]:
    with opened(path, text=False) as file:
        if file.read(3) != b"\xef\xbb\xbf":  # a byte-order mark, as some editors write, is skipped
            file.seek(0)
        yield file


@contextmanager
def _json_errors(path: str) -> Iterator[None]:
    """ijson's errors (and a file that ends too early) as one line that names the file."""
    import ijson

    try:
        yield
    except (ijson.JSONError, StopIteration) as error:
        reason = str(error).strip().removeprefix("b'").splitlines()[0] if str(error) else "premature EOF"
        if "UTF8" in reason:
            raise _not_utf8(path) from None
        if "premature EOF" in reason:
            raise TrackerError(f"{path} is not valid JSON: it ends too early (was the file cut short?)") from None
        if os.path.getsize(path) <= _SMALL_JSON:
            read_document(path)  # the standard library names the line
        raise TrackerError(f"{path} is not valid JSON ({reason.rstrip('.')})") from None

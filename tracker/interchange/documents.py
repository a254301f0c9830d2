"""Reading a YAML or JSON document from a file, with one clear message when it cannot be read."""

from pathlib import Path
from typing import Any

from tracker.errors import TrackerError


def read_text(path: str) -> str:
    """A file's text (UTF-8, with or without a byte-order mark)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrackerError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise TrackerError(f"{path} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise TrackerError(f"{path} is not UTF-8 text; save it with the UTF-8 encoding") from None
    except OSError as error:
        raise TrackerError(f"cannot read {path}: {error.strerror}") from None


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

"""Compact JSON through the standard library's C encoder, built once rather than once a value.

`json.JSONEncoder.encode` builds a new C encoder (`json.encoder.c_make_encoder`) for every call.
A report or a load encodes tens of thousands of small records one by one, so this module builds
that encoder once, with the arguments `encode` passes it, and calls it directly. It relies on a
private detail of the standard library: `c_make_encoder`'s arguments. Without it (another Python,
or a signature that changed) it falls back to `JSONEncoder.encode`, which gives the same text;
tests/test_speed_tricks.py fails if the C encoder is no longer the one in use. What it saves:
docs/speed.md, "The JSON encoder".
"""

import functools
from collections.abc import Callable
from typing import Any

Encode = Callable[[Any], str]


def compact_json(value: Any) -> str:
    """JSON on one line, as `json.dumps(value, ensure_ascii=False)` writes it."""
    return compact_encoder()(value)


@functools.cache
def compact_encoder() -> Encode:
    import json  # here, not at the top: commands that print tables never load it
    import json.encoder

    plain = json.JSONEncoder(ensure_ascii=False)  # compact, so encoded in C
    encoder = c_encoder()
    if encoder is None:
        return plain.encode
    encode_string = json.encoder.encode_basestring

    def encode(value: Any) -> str:
        if isinstance(value, str):  # most values: straight to C, as JSONEncoder.encode does
            return encode_string(value)
        return "".join(encoder(value, 0))

    return encode


_NESTED = (dict, list, tuple)


def indented_json(value: Any, level: int = 0) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` as if nested `level` deep (each line after
    the first indented by two spaces a level more). The standard library lays indented JSON out in
    Python, a generator per level and every value through it; here the nesting is laid out in one
    function and the values are encoded in C or by their own repr: about twice as quick, and an
    export of 100,000 commitments spends half its time on it (docs/speed.md, "The JSON encoder")."""
    encode = compact_encoder()
    encode_string = _string_encoder()

    def layout(value: Any, level: int) -> str:
        deeper = level + 1
        inner = "\n" + "  " * deeper
        if isinstance(value, dict):
            if not value:
                return "{}"
            if not all(type(key) is str for key in value):  # keys json.dumps converts: its own layout
                import json

                text = json.dumps(value, ensure_ascii=False, indent=2)
                return text.replace("\n", "\n" + "  " * level)
            parts = []
            for key, item in value.items():
                kind = type(item)
                if kind is str:
                    text = encode_string(item)
                elif item is None:
                    text = "null"
                elif kind is int:
                    text = int.__repr__(item)
                elif kind is bool:
                    text = "true" if item else "false"
                elif isinstance(item, _NESTED):
                    text = layout(item, deeper)
                else:  # floats (NaN, Infinity), subclasses: as json.dumps writes them
                    text = encode(item)
                parts.append(encode_string(key) + ": " + text)
            return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * level + "}"
        if isinstance(value, list | tuple):
            if not value:
                return "[]"
            parts = [layout(item, deeper) if isinstance(item, _NESTED) else encode(item) for item in value]
            return "[" + inner + ("," + inner).join(parts) + "\n" + "  " * level + "]"
        return encode(value)

    return layout(value, level)


@functools.cache
def _string_encoder() -> Callable[[str], str]:
    import json.encoder

    encode: Callable[[str], str] = json.encoder.encode_basestring  # C where the accelerator is
    return encode


@functools.cache
def c_encoder() -> Callable[[Any, int], Any] | None:
    """The standard library's C encoder, set up as `JSONEncoder(ensure_ascii=False).encode` sets it
    up, minus the check for circular references (tracker encodes plain values it built); None when
    this Python does not offer it as expected."""
    import json.encoder

    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # a Python without the C accelerator
        return None
    plain = json.JSONEncoder(ensure_ascii=False)
    try:
        encoder: Callable[[Any, int], Any] = make_encoder(
            None, plain.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
        )
    except TypeError:  # its arguments changed
        return None
    return encoder

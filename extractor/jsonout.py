"""JSON text for records that hold Decimals: numbers stay exact (never through float)."""
from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder where available
from decimal import Decimal
from typing import Any


def decimal_text(d: Decimal) -> str:
    """Plain positional notation of a Decimal, keeping its written digits (`2.6085E+6` -> `2608500`)."""
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    s = format(d, "f")
    return "0" if s in ("-0", "-0.0") and d == 0 else s


def _prepare(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return _RawNumber(decimal_text(obj))
    if isinstance(obj, dict):
        return {k: _prepare(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_prepare(v) for v in obj]
    return obj


class _RawNumber(float):
    """A float subclass whose JSON text is the exact decimal string."""

    def __new__(cls, text: str) -> "_RawNumber":
        inst = super().__new__(cls, float(text))
        inst.text = text  # type: ignore[attr-defined]
        return inst

    def __repr__(self) -> str:
        return self.text  # type: ignore[attr-defined]


class _Encoder(json.JSONEncoder):
    def iterencode(self, o: Any, _one_shot: bool = False):  # noqa: D401
        # float subclasses are written with float.__repr__ by the C encoder; use the
        # pure-Python path so _RawNumber.__repr__ is honoured.
        return json.encoder._make_iterencode(  # type: ignore[attr-defined]
            {}, self.default, json.encoder.py_encode_basestring if not self.ensure_ascii else json.encoder.py_encode_basestring_ascii,
            self.indent, lambda f: repr(f), self.key_separator, self.item_separator,
            self.sort_keys, self.skipkeys, _one_shot,
        )(o, 0)


_KEY_TEXT: dict[str, str] = {}  # `"key": ` of the record fields met (a few dozen names)


def _flat_record(obj: dict) -> str | None:
    """The JSON text `dumps` gives for a dict of scalars (one extract record), written
    directly with the C string encoder: the encoder path above runs in Python for every
    value, which made printing 100,000 records take seconds. None if a value is not a scalar."""
    parts = []
    keys = _KEY_TEXT
    for k, v in obj.items():
        t = type(v)
        if type(k) is not str:
            return None
        if t is str:
            s = encode_basestring(v)
        elif v is None:
            s = "null"
        elif t is Decimal:
            s = decimal_text(v)
        elif t is bool:
            s = "true" if v else "false"
        elif t is int:
            s = int.__repr__(v)
        elif t is float:
            s = repr(v)
        else:
            return None
        key = keys.get(k)
        if key is None:
            key = encode_basestring(k) + ": "
            if len(keys) < 1024:  # the fields of records; other dicts' keys are not kept
                keys[k] = key
        parts.append(key + s)
    return "{" + ", ".join(parts) + "}"


def dumps(obj: Any, **kw: Any) -> str:
    """json.dumps with exact Decimals and readable Chinese (ensure_ascii off)."""
    if not kw and type(obj) is dict and (flat := _flat_record(obj)) is not None:
        return flat
    kw.setdefault("ensure_ascii", False)
    return json.dumps(_prepare(obj), cls=_Encoder, **kw)

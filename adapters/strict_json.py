"""Decode a webhook's JSON body, refusing what Python's ``json`` lets through but nothing stores.

``json.loads`` accepts ``NaN`` and ``Infinity``, turns ``1e309`` into ``inf``, keeps integers of
thousands of digits, decodes ``"\\ud800"`` into a lone surrogate and nests as deep as the stack
allows. Each of those later crashed a date conversion or a database driver (issue 8). Refusing
them while decoding gives the sender a 400 with the reason, and leaves the adapters only values
they can convert and the store can keep.
"""

from __future__ import annotations

import json
import re
from typing import Any

from connector.storable import MAX_DEPTH, nesting_exceeds, number_problem, value_problem

#: An escaped NUL or surrogate: strict UTF-8 admits neither raw, nor does JSON a raw control
#: character, so only these escapes can decode into text the store refuses.
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
#: every digit as "0": a run of 19 zeros is then an integer that may pass 64 bits
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19


def _suspect(body: bytes) -> bool:
    """Could ``body`` decode into a value the store refuses? False for nearly every body, found
    at C speed (one search, one translate) instead of walking every decoded value."""
    return bool(_UNSTORABLE_ESCAPE.search(body)) or _LONG_DIGIT_RUN in body.translate(
        _DIGITS_AS_ZERO
    )


class _Refused(ValueError):
    """A number the decoder refused; its message is the reason."""


def loads(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode UTF-8 JSON with finite numbers only, 64-bit integers, no NULs or lone surrogates.

    Raises:
        ValueError: with a short reason (safe to send back and log: no values, no secrets).
    """
    try:
        text = body.decode("utf-8")  # strict: UTF-8-encoded surrogates are invalid here too
    except UnicodeDecodeError:
        raise ValueError("body is not UTF-8") from None
    if not _suspect(body):  # the common case: only the nesting is walked
        value = _decode(text, parse_constant=_constant, parse_float=_float)
        if nesting_exceeds(value, max_depth):
            raise ValueError("JSON nested too deeply")
        return value
    value = _decode(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    problem = value_problem(value, max_depth)
    if problem is not None:
        raise ValueError(problem.replace("value", "JSON", 1))
    return value


def _decode(text: str, **hooks: Any) -> Any:
    """``json.loads`` with the refusals turned into short ValueErrors."""
    try:
        return json.loads(text, **hooks)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON at line {exc.lineno} column {exc.colno}") from None
    except _Refused as exc:
        raise ValueError(str(exc)) from None
    except ValueError:  # int() beyond sys.get_int_max_str_digits()
        raise ValueError("integer out of range") from None


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _float(literal: str) -> float:
    number = float(literal)
    if number_problem(number):
        raise _Refused("number is not finite")
    return number


def _int(literal: str) -> int:
    number = int(literal)
    if number_problem(number):
        raise _Refused("integer out of range")
    return number

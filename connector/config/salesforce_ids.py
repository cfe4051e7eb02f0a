"""Salesforce record ids: 15-character (case-sensitive) and 18-character (checksummed) forms.

Config ids are normalised to 18 characters because the APIs and outbound messages use that form;
comparing a 15-character id from the file with an 18-character id from Salesforce never matches.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum_suffix(id15: str) -> str:
    """Return the 3-character suffix Salesforce appends to a 15-character id."""
    suffix = ""
    for chunk_start in range(0, 15, 5):
        chunk = id15[chunk_start : chunk_start + 5]
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def to_18(record_id: str) -> str:
    """Normalise a 15- or 18-character id to 18 characters.

    Raises:
        ValueError: not an id, or an 18-character id whose suffix does not match its case
            (usually an id that went through a case-insensitive tool such as a spreadsheet).
    """
    if not _ID.fullmatch(record_id):
        raise ValueError("expected a 15- or 18-character Salesforce id (letters and digits)")
    expected = record_id[:15] + checksum_suffix(record_id[:15])
    if len(record_id) == 18 and record_id.upper() != expected.upper():
        raise ValueError("the id's last 3 characters do not match the first 15")
    if len(record_id) == 18 and record_id != expected:
        raise ValueError(f"the id's checksum suffix should be {expected[15:]}")
    return expected

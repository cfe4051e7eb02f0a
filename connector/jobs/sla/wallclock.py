"""Local wall-clock readings to UTC instants, with one rule for DST changes.

Working hours are wall-clock times, but a wall-clock time can be skipped (clocks go forward) or
shown twice (clocks go back). The rule: a working range runs from the *first* moment the clock
shows its start to the *last* moment it shows its end; a reading the clock skips falls on the
moment of the jump. So the skipped hour is never worked, a repeated hour inside a range is
worked twice (the time really passes), and a range that starts or ends in the gap shrinks to it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SECOND = timedelta(seconds=1)


def wall_to_utc(day: date, minute: int, zone: ZoneInfo, *, last: bool) -> datetime:
    """The UTC instant ``zone``'s clock shows ``minute`` after midnight of ``day`` (1440 allowed).

    ``last`` picks the later of two instants when the reading repeats (fold=1), else the earlier.
    """
    if minute == 24 * 60:
        day, minute = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    early = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return early
    if early.astimezone(zone).replace(tzinfo=None) == naive:  # shown twice: 0 = first, 1 = second
        return late if last else early
    # Skipped: fold=0 reads it with the offset before the jump (the later instant), fold=1 with
    # the offset after (the earlier); the jump lies between them.
    return _jump(min(early, late), max(early, late), zone)


def _jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] with ``after``'s UTC offset (bisection to 1 s)."""
    offset = after.astimezone(zone).utcoffset()
    while after - before > _SECOND:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).utcoffset() == offset:
            after = middle
        else:
            before = middle
    return after


def day_length(day: date, zone: ZoneInfo) -> timedelta:
    """How long ``day`` lasts on ``zone``'s clock: 24 h, or 23 h / 25 h on a DST change."""
    return wall_to_utc(day, 24 * 60, zone, last=False) - wall_to_utc(day, 0, zone, last=False)

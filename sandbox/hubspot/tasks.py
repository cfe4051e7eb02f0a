"""Task completion as HubSpot records it: read-only properties set when a task is ticked off.

HubSpot stamps ``hs_task_completion_date`` and sets ``hs_task_is_completed`` to 1 when
``hs_task_status`` becomes COMPLETED, and clears both when the task is reopened.
"""

from __future__ import annotations

from .properties import iso_from_ms

COMPLETED = "COMPLETED"


def task_completion(status: str, now_ms: int) -> dict[str, str]:
    """The derived completion properties for a new ``hs_task_status``."""
    if status == COMPLETED:
        return {"hs_task_completion_date": iso_from_ms(now_ms), "hs_task_is_completed": "1"}
    return {"hs_task_completion_date": "", "hs_task_is_completed": "0"}

"""Jobs used only by the tests: no database, an effect visible from another process."""

import os
from pathlib import Path

from django.tasks import task


@task
def touch_marker(path: str) -> int:
    """Write the marker file and return the id of the process that ran the job."""
    Path(path).write_text(f"ran in {os.getpid()}", encoding="utf-8")
    return os.getpid()

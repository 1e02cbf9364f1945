"""Helpers for tests that need Huey in a given mode.

HUEY (huey.contrib.djhuey) is built from settings at import, so override_settings cannot change
it. Tests switch the live instance instead, through its public attributes and with pytest's
monkeypatch so everything is put back. `immediate_use_memory` is turned off first so that
flipping `immediate` does not make Huey drop and rebuild its storage (the dropped SQLite
connection would surface later as a ResourceWarning, an error under filterwarnings=error).
"""

import pytest
from huey import Huey
from huey.contrib.djhuey import HUEY
from huey.storage import BaseStorage, MemoryStorage


def use_huey(
    monkeypatch: pytest.MonkeyPatch, *, immediate: bool, storage: BaseStorage | None = None
) -> Huey:
    """Run HUEY in (or out of) immediate mode on `storage` (a fresh in-memory one by default)."""
    monkeypatch.setattr(HUEY, "immediate_use_memory", False)
    monkeypatch.setattr(HUEY, "immediate", immediate)
    monkeypatch.setattr(HUEY, "storage", storage or MemoryStorage(HUEY.name))
    return HUEY

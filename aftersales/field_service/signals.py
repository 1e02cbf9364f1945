"""The one signal receiver of field service (see apps.py for why it is a signal)."""

from typing import Any

from aftersales.work_orders.models import FIELD_KINDS, WorkOrder


def open_clocks(
    sender: type, instance: WorkOrder, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw and instance.kind in FIELD_KINDS:
        from aftersales.field_service.clocks import field_job_open

        field_job_open(instance)

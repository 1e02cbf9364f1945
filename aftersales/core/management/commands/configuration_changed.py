from typing import Any

from django.core.management.base import BaseCommand

from aftersales.core import configuration


class Command(BaseCommand):
    help = (
        "Tell every process that the configuration changed (after editing request types, SLA "
        "policies, calendars, units or permissions by SQL): what they kept is read again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        configuration.changed()
        self.stdout.write("The configuration's generation is new: every process reads it again.")

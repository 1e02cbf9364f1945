from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "aftersales.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

        register(
            MenuEntry(
                _("Organisation"),
                _("Business calendars"),
                "calendars:calendar_list",
                "calendars.view_businesscalendar",
                "calendar3",
                40,
            ),
        )

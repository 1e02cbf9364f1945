from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "aftersales.calendars"
    label = "calendars"
    verbose_name = _("Calendars")

    def ready(self) -> None:
        from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
        from aftersales.core import configuration
        from aftersales.core.menu import MenuEntry, register

        configuration.watch(BusinessCalendar, WorkingInterval, CalendarDay)

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

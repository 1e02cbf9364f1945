from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "aftersales.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from aftersales.core import configuration
        from aftersales.core.menu import MenuEntry, register
        from aftersales.organisation.models import Unit

        # A unit's time zone and calendar decide its deadlines (calendars.selectors).
        configuration.watch(Unit)

        register(
            MenuEntry(
                _("Organisation"),
                _("Units"),
                "organisation:unit_list",
                "organisation.view_unit",
                "diagram-3",
                10,
            ),
        )

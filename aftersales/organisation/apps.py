from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "aftersales.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

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

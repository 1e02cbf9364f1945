from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "aftersales.imports"
    label = "imports"
    verbose_name = _("Import")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

        register(
            MenuEntry(
                _("Customers"),
                _("Import"),
                "imports:import_list",
                "imports.view_importjob",
                "upload",
                90,
            ),
        )

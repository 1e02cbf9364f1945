from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "aftersales.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

        section = _("Catalog")
        register(
            *(
                MenuEntry(
                    section, label, f"catalog:{name}_list", f"catalog.view_{model}", icon, order
                )
                for order, (label, name, model, icon) in enumerate(
                    [
                        (_("Product categories"), "category", "productcategory", "diagram-3"),
                        (_("Product models"), "model", "productmodel", "box-seam"),
                        (_("Spare parts"), "part", "part", "gear"),
                        (_("Fault codes"), "faultcode", "faultcode", "exclamation-triangle"),
                        (_("Repair codes"), "repaircode", "repaircode", "wrench"),
                        (_("Labour items"), "labour", "labouritem", "stopwatch"),
                        (_("Price lists"), "pricelist", "pricelist", "tags"),
                    ],
                    start=300,
                )
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstalledBaseConfig(AppConfig):
    name = "aftersales.installed_base"
    label = "installed_base"
    verbose_name = _("Installed base")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register
        from aftersales.customers.card import CardSection, register_section, register_timeline
        from aftersales.installed_base import card

        register(
            MenuEntry(
                _("Customers"),
                _("Installed products"),
                "installed_base:product_list",
                "installed_base.view_installedproduct",
                "box-seam",
                32,  # after the customers app's entries
            ),
        )
        register_section(
            CardSection(
                key="products",
                template_name="installed_base/card_products.html",
                context=card.products_section,
                order=20,
            )
        )
        register_timeline("products", card.products_timeline)

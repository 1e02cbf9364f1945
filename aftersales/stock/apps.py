from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "aftersales.stock"
    label = "stock"
    verbose_name = _("Spare parts and stock")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

        section = _("Stock")
        register(
            MenuEntry(
                section,
                _("Warehouses"),
                "stock:warehouse_list",
                "stock.view_warehouse",
                "building",
                60,
            ),
            MenuEntry(
                section,
                _("Stock balances"),
                "stock:balance_list",
                "stock.view_stockbalance",
                "boxes",
                61,
            ),
            MenuEntry(
                section,
                _("Movements"),
                "stock:movement_list",
                "stock.view_stockmovement",
                "journal-text",
                62,
            ),
            MenuEntry(
                section, _("Transfers"), "stock:transfer_list", "stock.view_transfer", "truck", 63
            ),
            MenuEntry(
                section,
                _("Serial numbers"),
                "stock:serial_lookup",
                "stock.view_serialnumber",
                "upc-scan",
                64,
            ),
        )

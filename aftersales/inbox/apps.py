from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "aftersales.inbox"
    label = "inbox"
    verbose_name = _("Inbound e-mail")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register

        register(
            MenuEntry(
                _("Service requests"),
                _("Inbound e-mail"),
                "inbox:message_list",
                "inbox.view_inboundmessage",
                "envelope",
                48,
            ),
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "aftersales.telephony"
    label = "telephony"
    verbose_name = _("Telephony")

    def ready(self) -> None:
        from aftersales.core.menu import MenuEntry, register
        from aftersales.telephony import receivers

        receivers.connect()
        register(
            MenuEntry(
                _("Service requests"),
                _("Calls"),
                "telephony:call_list",
                "telephony.view_call",
                "telephone-inbound",
                45,
            ),
            MenuEntry(
                _("Service requests"),
                _("On duty"),
                "telephony:duty",
                "telephony.view_call",
                "headset",
                46,
            ),
            MenuEntry(
                _("Settings"),
                _("Phone lines"),
                "telephony:line_list",
                "telephony.view_phoneline",
                "telephone",
                910,  # after the request settings
            ),
        )

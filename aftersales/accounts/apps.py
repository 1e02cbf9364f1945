from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from aftersales.accounts.models import Position, User
        from aftersales.core import configuration
        from aftersales.core.menu import MenuEntry, register

        register(
            MenuEntry(
                _("Organisation"),
                _("People"),
                "accounts:user_list",
                "accounts.view_user",
                "people",
                20,
            ),
            MenuEntry(
                _("Organisation"),
                _("Positions"),
                "accounts:position_list",
                "accounts.view_position",
                "person-badge",
                30,
            ),
        )
        post_migrate.connect(_sync_positions, sender=self)
        configuration.watch_links(Position.permissions.through, User.user_permissions.through)


def _sync_positions(using: str = "default", **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Positions refer to permissions of apps that may migrate after this one: create every
    app's permissions first, then the positions."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from aftersales.accounts.services import sync_system_positions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_system_positions()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldServiceConfig(AppConfig):
    name = "aftersales.field_service"
    label = "field_service"
    verbose_name = _("Field service")

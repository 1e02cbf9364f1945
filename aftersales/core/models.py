from django.db import models


class ConfigurationGeneration(models.Model):
    """One row whose value changes, in the same transaction, with every change of the
    configuration that `core.configuration.cached` serves (see there)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "configuration generation"

    def __str__(self) -> str:
        return str(self.value)

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    REGION = "region", _("Region")
    CENTRE = "centre", _("Service centre")
    OUTLET = "outlet", _("Service outlet")


# A unit of one kind may only sit under a unit of these kinds.
ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    UnitKind.HQ: set(),
    UnitKind.REGION: {UnitKind.HQ},
    UnitKind.CENTRE: {UnitKind.HQ, UnitKind.REGION},
    UnitKind.OUTLET: {UnitKind.HQ, UnitKind.REGION, UnitKind.CENTRE},
}


class Ownership(models.TextChoices):
    OWN = "own", _("Own")
    AUTHORISED = "authorised", _("Authorised third party")

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.accounts.positions import SYSTEM_POSITION_NAMES
from aftersales.core.scoping import ScopedQuerySet, SharedQuerySet


class Position(models.Model):
    """A position (岗位 / должность): a job role that carries a set of permissions and so decides
    what a user may do and which menu they see. System positions come with the product; an
    administrator may add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="positions"
    )
    is_system = models.BooleanField(_("system position"), default=False, editable=False)
    history = HistoricalRecords(m2m_fields=[permissions])

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        # System positions are named in the user's language; custom ones as typed.
        return str(SYSTEM_POSITION_NAMES.get(self.code, self.name))


class UserQuerySet(ScopedQuerySet):
    scope_field = "unit"


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's create_user/create_superuser on a scoped queryset."""


# What an administrator may set on a person, in the pages and the API alike. Never the
# privileged flags (is_staff, is_superuser) nor the password hash.
PERSON_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "unit",
    "additional_units",
    "position",
    "preferred_language",
    "is_active",
)


class User(AbstractUser):
    """A person who signs in: belongs to a unit (and may act for more), holds a position."""

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    additional_units = models.ManyToManyField(
        "organisation.Unit",
        verbose_name=_("also acts for"),
        blank=True,
        related_name="acting_members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        indexes = [
            # A unit's people in account order: a new request's least-loaded worker is found
            # by reading them from the first until an idle one (service_requests.selectors).
            models.Index(fields=["unit", "id"], name="user_unit_in_id_order"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def unit_paths(self) -> list[str]:
        """Tree paths of the home unit and the units this user also acts for (one query)."""
        from aftersales.organisation.models import Unit

        condition = models.Q(pk=self.unit_id) if self.unit_id else models.Q(pk__in=[])
        if self.pk:
            # A subquery on the indexed user_id, not a join: the join made PostgreSQL scan the
            # whole link table (bench: scoping.* at 2M users).
            acting = User.additional_units.through.objects.filter(user_id=self.pk)
            condition |= models.Q(pk__in=acting.values("unit_id"))
        return list(Unit.objects.filter(condition).values_list("path", flat=True))


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    PREFIX = "as_"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed sign-in, kept for the throttle window (see accounts.throttle)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"

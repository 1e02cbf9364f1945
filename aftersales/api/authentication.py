from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from aftersales.accounts.models import ApiToken, User


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal API token. Unknown, revoked tokens and
    tokens of deactivated users are refused (401) on the very next request."""

    keyword = "Bearer"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        acting = User.additional_units.through.objects.filter(user_id=OuterRef("user_id"))
        # A unique key: no ordering (`.first()` would sort the one row).
        found = (
            ApiToken.objects.select_related("user__unit")
            .annotate(acts_for_more=Exists(acting))
            .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
            .order_by()[:1]
        )
        token = next(iter(found), None)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.acts_for_more:
            # The same query answered what core.scoping.scope_paths would ask next (the
            # paths of the user's units): most people act for their home unit only.
            unit = token.user.unit
            token.user._scope_paths = [unit.path] if unit is not None else []
        # Record use at most once a minute: a busy client must not turn every read into a write.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # UserLocaleMiddleware ran before the token was read; a client that sends no
        # Accept-Language gets its owner's preferred language, as a browser session does.
        language = token.user.preferred_language
        if language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(language)
            request._request.LANGUAGE_CODE = language
        return token.user, token

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "aftersales.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "http", "scheme": "bearer"}

import functools

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from aftersales.accounts.models import ApiToken, User
from aftersales.core import compiled, configuration
from aftersales.organisation.models import Unit


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
        found = _token_with_user(ApiToken.hash_key(key))
        if found is None or not found[0].user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, acts_for_more = found
        if not acts_for_more:
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


def _token_with_user(key_hash: str) -> tuple[ApiToken, bool] | None:
    """The live token of `key_hash` with its user and the user's unit, whether the user acts
    for units besides their own, and the configuration's generation (so that the cached
    configuration costs no query of its own): one hand-written query. Every API request makes
    it, and the ORM spent three times longer building it (select_related, the EXISTS) than
    PostgreSQL spent answering (bench requests.queue.*.http)."""
    sql, parts = _token_query()
    with compiled.prepared_cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for columns in parts:
        # The unit is None for a user who has none (the outer join).
        instances.append(columns.instance(row[start : start + len(columns)]))
        start += len(columns)
    token, user, unit = instances
    user._state.fields_cache["unit"] = unit
    token._state.fields_cache["user"] = user
    configuration.noted(row[start + 1])
    return token, bool(row[start])


@functools.cache
def _token_query() -> tuple[str, list[compiled.ModelColumns]]:
    parts = [compiled.model_columns(model) for model in (ApiToken, User, Unit)]
    columns = ", ".join(part.select(alias) for alias, part in zip("tun", parts, strict=True))
    acting = User.additional_units.through._meta.db_table
    sql = (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM {acting} a WHERE a.user_id = t.user_id),"
        f" {configuration.generation_sql()}"
        f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
        f" LEFT JOIN {Unit._meta.db_table} n ON n.id = u.unit_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )
    return sql, parts


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "aftersales.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "http", "scheme": "bearer"}

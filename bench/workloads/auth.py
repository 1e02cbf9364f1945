"""c. What every sign-in and every API request pays before doing anything useful: the login
throttle check and the bearer-token lookup, against the same SQL through the bare driver."""

from __future__ import annotations

from bench.compare import judge_plan, orm_vs_raw
from bench.measure import captured, pick
from bench.plans import explain
from bench.workloads import Context, Result, workload

# Addresses from a range the generator never uses, so the rows added here are easy to remove.
ADDRESS = "10.250.0.1"
OTHER_ADDRESS = "10.250.0.2"


@workload("auth", order=30)
def auth(ctx: Context) -> list[Result]:
    """throttle.is_locked_out and BearerTokenAuthentication.authenticate."""
    from django.test import RequestFactory
    from django.utils import timezone
    from rest_framework.request import Request

    from aftersales.accounts import throttle
    from aftersales.accounts.models import LoginFailure, User
    from aftersales.accounts.services import api_token_create
    from aftersales.api.authentication import BearerTokenAuthentication

    results: list[Result] = []
    username = "u0000042"
    now = timezone.now()
    # An account with 3 recent failures (under the limit of 5) and an address with 12 (under
    # 30): the check runs both counts, as it does for most sign-ins.
    LoginFailure.objects.bulk_create(
        [LoginFailure(username=username, address=OTHER_ADDRESS, created_at=now) for _ in range(3)]
        + [LoginFailure(username=f"x{i}", address=ADDRESS, created_at=now) for i in range(12)]
    )
    user = User.objects.get(username="bench_region_head")
    token, key = api_token_create(user=user, name="bench auth")
    try:
        with ctx.db.raw() as raw:
            ctx.log("  auth.throttle.is_locked_out")

            def check() -> object:
                return throttle.is_locked_out(username, ADDRESS)

            result = orm_vs_raw(
                ctx,
                raw,
                key="auth.throttle.is_locked_out",
                title="throttle.is_locked_out(username, address) per sign-in",
                call=check,
                main=('"accounts_loginfailure"', '"username"'),
            )
            address_query = pick(captured(check), '"accounts_loginfailure"', '"address"')
            if address_query is not None:
                address_plan = explain(raw, address_query)
                result.notes.append(f"address count: {address_plan.notes()}")
                result.extra["address_plan"] = address_plan.as_dict()
                judge_plan(raw, result, address_plan, "address count")
            results.append(result)

            ctx.log("  auth.token.lookup")
            request = RequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
            backend = BearerTokenAuthentication()

            def authenticate() -> object:
                return backend.authenticate(Request(request))

            authenticate()  # records last use now: later calls within a minute only read
            result = orm_vs_raw(
                ctx,
                raw,
                key="auth.token.lookup",
                title="BearerTokenAuthentication.authenticate (token lookup)",
                call=authenticate,
                main=('"accounts_apitoken"', '"key_hash"'),
            )
            results.append(result)
    finally:
        token.delete()
        LoginFailure.objects.filter(address__in=[ADDRESS, OTHER_ADDRESS]).delete()
    return results

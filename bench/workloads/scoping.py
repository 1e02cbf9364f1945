"""a. Subtree scoping: what `visible_to(user)` costs for units and people, against the same
SQL through the bare driver; and whether an index can serve `path LIKE 'prefix%'` at all."""

from __future__ import annotations

from bench.compare import orm_vs_raw
from bench.plans import check_prefix_index, duplicate_indexes
from bench.workloads import Context, Result, workload


def _fresh(user: object) -> object:
    """Forget the user's cached scope paths, as a new request would."""
    user.__dict__.pop("_scope_paths", None)
    return user


@workload("scoping", order=10)
def scoping(ctx: Context) -> list[Result]:
    """Unit.objects.visible_to / User.objects.visible_to for region, centre and outlet heads."""
    from aftersales.accounts.models import User
    from aftersales.organisation.models import Unit

    region = User.objects.select_related("unit").get(username="bench_region_head")
    outlet = User.objects.select_related("unit").get(username="bench_outlet_head")
    results: list[Result] = []
    with ctx.db.raw() as raw:
        check = check_prefix_index(raw, "organisation_unit", "path", region.unit.path)
        ctx.shared["prefix_check"] = check

        def units_region() -> object:
            return list(Unit.objects.visible_to(_fresh(region)))

        def users_page(user: User) -> object:
            return list(User.objects.visible_to(_fresh(user)).order_by("username")[:50])

        def users_count() -> object:
            return User.objects.visible_to(_fresh(region)).count()

        unit_join = ('FROM "accounts_user"', "LIKE")
        cases = [
            (
                "scoping.units.region",
                "Units visible to a region head (whole subtree, by path)",
                units_region,
                ('FROM "organisation_unit"', "LIKE"),
            ),
            (
                "scoping.users.region",
                "People visible to a region head: first 50 by username",
                lambda: users_page(region),
                unit_join,
            ),
            (
                "scoping.users.outlet",
                "People visible to an outlet head: first 50 by username",
                lambda: users_page(outlet),
                unit_join,
            ),
            (
                "scoping.users.region.count",
                "Count of people visible to a region head (the API's page count)",
                users_count,
                ("COUNT(", "LIKE"),
            ),
        ]
        for key, title, call, main in cases:
            ctx.log(f"  {key}")
            result = orm_vs_raw(ctx, raw, key=key, title=title, call=call, main=main)
            if key == "scoping.units.region":
                result.extra["prefix_index"] = check.as_dict()
                result.notes.append(f"prefix index check: {check.explanation}")
                if not check.served:
                    result.findings.append(f"{key}: {check.explanation}")
                duplicates = duplicate_indexes(raw)
                result.extra["duplicate_indexes"] = duplicates
                for dup in duplicates:
                    definition = dup["definition"].split(" USING ", 1)[-1]
                    result.findings.append(
                        f"duplicate indexes on {dup['table']}: {' = '.join(dup['indexes'])} "
                        f"(all {definition}); keep one: each write maintains every copy"
                    )
            results.append(result)
    return results

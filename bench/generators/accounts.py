"""People, their "also acts for" units, API tokens and recent failed sign-ins.

Every person gets the same password hash (computed once with make_password: hashing two
million passwords would take hours and prove nothing) and one of the system positions
created by migrate. A few fixed accounts are what the workloads act as (see BENCH_USERS)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from bench.generators import GenContext, generator
from bench.generators.organisation import UnitRow

# The password of every generated person (so a sign-in workload can use any of them).
BENCH_PASSWORD = "bench-pass-2026"

# username → (unit code, position code, superuser): the accounts the workloads act as.
BENCH_USERS: dict[str, tuple[str, str, bool]] = {
    "bench_admin": ("hq", "administrator", True),
    "bench_region_head": ("r01", "unit_head", False),
    "bench_centre_head": ("r01-c01", "unit_head", False),
    "bench_outlet_head": ("r01-c01-o01", "unit_head", False),
}

POSITIONS_BY_KIND: dict[str, list[tuple[str, int]]] = {
    "hq": [
        ("executive", 2),
        ("administrator", 1),
        ("quality_engineer", 3),
        ("trainer", 2),
        ("settlement_clerk", 3),
        ("hotline_agent", 10),
    ],
    "region": [
        ("unit_head", 1),
        ("dispatcher", 3),
        ("quality_engineer", 2),
        ("trainer", 2),
        ("settlement_clerk", 2),
    ],
    "centre": [
        ("unit_head", 1),
        ("dispatcher", 4),
        ("field_engineer", 8),
        ("storekeeper", 2),
        ("hotline_agent", 4),
        ("settlement_clerk", 1),
    ],
    "outlet": [
        ("unit_head", 1),
        ("outlet_reception", 3),
        ("technician", 6),
        ("storekeeper", 1),
        ("field_engineer", 2),
    ],
}

# Share of the people working at each level of the tree.
SHARE_BY_KIND = {"hq": 0.01, "region": 0.04, "centre": 0.15, "outlet": 0.80}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
    + "曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超" + "秀兰霞平刚桂英华建国志强玉兰文"
LANGUAGES = ["", "", "", "", "", "", "zh-hans", "zh-hant", "ru", "en"]


def username_of(number: int) -> str:
    return f"u{number:07d}"


@generator("users", after=("units",), version="1")
def users(ctx: GenContext) -> dict[str, int]:
    """accounts_user (+ accounts_user_additional_units): scale.count("users") people spread
    over the tree, 3% of them also acting for a second unit."""
    from django.contrib.auth.hashers import make_password

    from aftersales.accounts.models import Position, User

    total = ctx.scale.count("users")
    rng = ctx.rng("users")
    tree: list[UnitRow] = ctx.shared["units"]
    by_code: dict[str, UnitRow] = ctx.shared["units_by_code"]
    positions = dict(Position.objects.values_list("code", "id"))
    missing = {code for weights in POSITIONS_BY_KIND.values() for code, _ in weights} - set(
        positions
    )
    if missing:
        raise RuntimeError(f"system positions missing after migrate: {sorted(missing)}")

    # Each kind's share of the people, split evenly over that kind's units; drawn per person.
    units_by_kind: dict[str, list[UnitRow]] = {}
    for unit in tree:
        units_by_kind.setdefault(unit.kind, []).append(unit)
    kinds = list(SHARE_BY_KIND)
    kind_weights = [SHARE_BY_KIND[k] for k in kinds]
    position_choices = {
        kind: ([positions[code] for code, _ in weights], [w for _, w in weights])
        for kind, weights in POSITIONS_BY_KIND.items()
    }
    outlets = units_by_kind["outlet"]
    password = ctx.password_hash or make_password(BENCH_PASSWORD)
    extra_pairs: list[tuple[int, int]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        user_id = 0
        for username, (unit_code, position, superuser) in BENCH_USERS.items():
            user_id += 1
            yield (
                user_id,
                username,
                "Bench",
                username.removeprefix("bench_"),
                f"{username}@bench.aftersales.example",
                "",
                by_code[unit_code].id,
                positions[position],
                superuser,
                superuser,
                True,
                "en",
            )
        for number in range(1, total - len(BENCH_USERS) + 1):
            user_id += 1
            kind = rng.choices(kinds, kind_weights)[0]
            unit = rng.choice(units_by_kind[kind])
            ids, weights = position_choices[kind]
            first = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            username = username_of(number)
            if rng.random() < 0.03:
                extra_pairs.append((user_id, rng.choice(outlets).id))
            yield (
                user_id,
                username,
                first,
                rng.choice(SURNAMES),
                f"{username}@bench.aftersales.example",
                f"1{rng.randrange(30, 90)}{number:08d}",
                unit.id,
                rng.choices(ids, weights)[0],
                False,
                False,
                rng.random() < 0.97,
                rng.choice(LANGUAGES),
            )

    columns = [
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "unit_id",
        "position_id",
        "is_superuser",
        "is_staff",
        "is_active",
        "preferred_language",
    ]
    count = ctx.loader.load(
        User,
        columns,
        rows(),
        constants={"password": password, "date_joined": ctx.now - timedelta(days=365)},
    )
    extra = ctx.loader.load_m2m(User, "additional_units", extra_pairs)
    ctx.shared["user_count"] = count
    return {"accounts_user": count, "accounts_user_additional_units": extra}


@generator("api_tokens", after=("users",), version="1")
def api_tokens(ctx: GenContext) -> dict[str, int]:
    """accounts_apitoken: scale.count("api_tokens") personal tokens (10% revoked), so the token
    lookup runs against a real unique index."""
    from aftersales.accounts.models import ApiToken

    total = ctx.scale.count("api_tokens")
    users = ctx.shared["user_count"]
    rng = ctx.rng("api_tokens")
    created = ctx.now - timedelta(days=30)

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in range(1, total + 1):
            key = f"{ApiToken.PREFIX}bench-{number}"
            revoked = created + timedelta(days=1) if rng.random() < 0.1 else None
            yield (
                rng.randrange(1, users + 1),
                f"token {number}",
                key[:9],
                hashlib.sha256(key.encode()).hexdigest(),
                created,
                revoked,
            )

    columns = ["user_id", "name", "prefix", "key_hash", "created_at", "revoked_at"]
    return {"accounts_apitoken": ctx.loader.load(ApiToken, columns, rows())}


@generator("login_failures", after=("users",), version="1")
def login_failures(ctx: GenContext) -> dict[str, int]:
    """accounts_loginfailure: scale.count("login_failures") failed sign-ins over the 24 hours
    before the load (the purge job keeps only recent ones)."""
    from aftersales.accounts.models import LoginFailure

    total = ctx.scale.count("login_failures")
    users = max(ctx.shared["user_count"] - len(BENCH_USERS), 1)
    rng = ctx.rng("login_failures")

    def rows() -> Iterator[tuple[Any, ...]]:
        for _ in range(total):
            yield (
                username_of(rng.randrange(1, users + 1)),
                f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                ctx.now - timedelta(seconds=rng.uniform(0, 86_400)),
            )

    columns = ["username", "address", "created_at"]
    return {"accounts_loginfailure": ctx.loader.load(LoginFailure, columns, rows())}

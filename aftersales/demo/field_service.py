"""Demo field service, for seed_demo: a field engineer on each demo centre's board (the demo
"engineer" in Novosibirsk and a Shanghai engineer, "engineer-sh"), the seed 001 response
policy, and three field orders per centre with today's work: one waiting for the call to the
customer, one visit planned, one engineer on site.

Written through the services; found again on a second run (engineers by their user, orders
by their fault text), so seeding twice adds nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from aftersales.accounts.models import Position, User
from aftersales.accounts.services import user_create
from aftersales.customers.models import Customer
from aftersales.field_service import services
from aftersales.field_service.models import Engineer, ResponsePolicy
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import Skill
from aftersales.work_orders.models import Kind, WorkOrder
from aftersales.work_orders.services import work_order_create

DEMO_MARK = "[demo field]"
SHANGHAI_ENGINEER = ("engineer-sh", "伟", "林", "shanghai", "zh-hans")
# centre code → (engineer's username, region code, customers' outlet code)
CENTRES = {
    "shanghai": ("engineer-sh", "east", "sh-pudong"),
    "novosib": ("engineer", "sibir", "nsk-center"),
}
FAULTS = [
    "空调不制冷 · The air conditioner does not cool",
    "洗衣机漏水 · The washing machine leaks",
    "安装新空调 · Install the new air conditioner",
]


def seed_field_service(admin: User, password: str) -> int:
    created = 0
    ResponsePolicy.objects.get_or_create(
        name="Seed 001 · 16 h / 24 h",
        defaults={"contact_hours": 16, "onsite_hours": 24, "warn_minutes": 60},
    )
    username, first, last, unit_code, language = SHANGHAI_ENGINEER
    if not User.objects.filter(username=username).exists():
        user_create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.aftersales.example",
            position=Position.objects.get(code="field_engineer"),
            unit=Unit.objects.get(code=unit_code),
            preferred_language=language,
        )
        created += 1
    skills = list(Skill.objects.filter(name__in=["空调 · Air conditioners", "安装 · Installation"]))
    for centre_code, (engineer_name, region_code, outlet_code) in CENTRES.items():
        centre = Unit.objects.get(code=centre_code)
        user = User.objects.get(username=engineer_name)
        engineer = Engineer.objects.filter(user=user).first()
        if engineer is None:
            engineer = services.engineer_create(
                user=user,
                unit=centre,
                regions=Unit.objects.filter(code=region_code),
                skills=skills,
            )
            created += 1
        created += _orders(admin, centre, engineer, outlet_code)
    return created


def _orders(admin: User, centre: Unit, engineer: Engineer, outlet_code: str) -> int:
    if WorkOrder.objects.filter(unit=centre, reported_fault__startswith=DEMO_MARK).exists():
        return 0
    customers = list(Customer.objects.filter(unit__code=outlet_code).order_by("pk")[:3])
    if len(customers) < 3:
        return 0
    orders = [
        work_order_create(
            kind=kind,
            customer=customer,
            unit=centre,
            user=admin,
            reported_fault=f"{DEMO_MARK} {fault}",
            product=customer.products.first(),
        )
        for customer, fault, kind in zip(
            customers, FAULTS, [Kind.VISIT, Kind.VISIT, Kind.INSTALLATION], strict=True
        )
    ]
    now = timezone.now().replace(second=0, microsecond=0)
    # The first waits for the call; the second is planned later today (three hours from now,
    # kept within 08:00–18:00 so a demo seeded at night still shows it on today's board); the
    # third is on site.
    local = timezone.localtime(now)
    later = local + datetime.timedelta(hours=3)
    later = max(later, local.replace(hour=8, minute=0))
    later = min(later, local.replace(hour=18, minute=0))
    services.visit_schedule(
        order=orders[1],
        engineer=engineer,
        window_start=later,
        window_end=later + datetime.timedelta(hours=2),
        user=admin,
        agreed=True,
    )
    on_site = services.visit_schedule(
        order=orders[2],
        engineer=engineer,
        window_start=now - datetime.timedelta(hours=1),
        window_end=now + datetime.timedelta(hours=1),
        user=admin,
        agreed=True,
    )
    services.visit_arrive(visit=on_site, user=engineer.user)
    return len(orders) + 2

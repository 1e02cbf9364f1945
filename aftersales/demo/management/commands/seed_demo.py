"""Build a believable service network for trying Aftersales out. Running it again changes
nothing that already exists (units, people and calendars are found by their codes)."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Position, User
from aftersales.accounts.services import sync_system_positions, user_create
from aftersales.calendars.models import BusinessCalendar, WorkingInterval
from aftersales.core import configuration
from aftersales.organisation.models import Unit
from aftersales.organisation.services import unit_create

DEMO_PASSWORD = "demo-pass-2026"

# code, name, kind, ownership, parent code, time zone, address
NETWORK = [
    ("hq", "总部 · Headquarters", "hq", "own", None, "Asia/Shanghai", "上海市浦东新区张江路 88 号"),
    (
        "east",
        "华东大区 · East China region",
        "region",
        "own",
        "hq",
        "",
        "上海市徐汇区漕溪北路 18 号",
    ),
    (
        "sibir",
        "Сибирский регион · Siberia region",
        "region",
        "own",
        "hq",
        "Asia/Novosibirsk",
        "Новосибирск, Красный проспект, 25",
    ),
    (
        "shanghai",
        "上海服务中心 · Shanghai centre",
        "centre",
        "own",
        "east",
        "",
        "上海市静安区南京西路 1266 号",
    ),
    (
        "hangzhou",
        "杭州服务中心 · Hangzhou centre",
        "centre",
        "own",
        "east",
        "",
        "杭州市西湖区文三路 90 号",
    ),
    (
        "novosib",
        "Сервисный центр Новосибирск",
        "centre",
        "own",
        "sibir",
        "",
        "Новосибирск, ул. Ленина, 12",
    ),
    (
        "sh-pudong",
        "浦东网点 · Pudong outlet",
        "outlet",
        "own",
        "shanghai",
        "",
        "上海市浦东新区世纪大道 100 号",
    ),
    (
        "sh-xuhui",
        "徐汇授权网点 · Xuhui authorised outlet",
        "outlet",
        "authorised",
        "shanghai",
        "",
        "上海市徐汇区天钥桥路 30 号",
    ),
    (
        "hz-xihu",
        "西湖网点 · Xihu outlet",
        "outlet",
        "own",
        "hangzhou",
        "",
        "杭州市西湖区龙井路 1 号",
    ),
    (
        "hz-binjiang",
        "滨江授权网点 · Binjiang authorised outlet",
        "outlet",
        "authorised",
        "hangzhou",
        "",
        "杭州市滨江区江南大道 3588 号",
    ),
    (
        "nsk-center",
        "Точка «Центральная»",
        "outlet",
        "own",
        "novosib",
        "",
        "Новосибирск, ул. Фрунзе, 5",
    ),
    (
        "nsk-akadem",
        "Точка «Академгородок»",
        "outlet",
        "own",
        "novosib",
        "",
        "Новосибирск, Морской проспект, 2",
    ),
]

# username, first name, last name, position, unit, language
PEOPLE = [
    ("admin", "Wei", "Zhang", "administrator", "hq", "en"),
    ("exec", "丽", "王", "executive", "hq", "zh-hans"),
    ("quality", "志强", "李", "quality_engineer", "hq", "zh-hans"),
    ("trainer", "Анна", "Смирнова", "trainer", "sibir", "ru"),
    ("head-east", "建国", "陈", "unit_head", "east", "zh-hans"),
    ("settlement", "美玲", "黃", "settlement_clerk", "east", "zh-hant"),
    ("hotline", "芳", "刘", "hotline_agent", "shanghai", "zh-hans"),
    ("dispatcher", "磊", "赵", "dispatcher", "shanghai", "zh-hans"),
    ("engineer", "Игорь", "Петров", "field_engineer", "novosib", "ru"),
    ("engineer-sh", "伟", "林", "field_engineer", "shanghai", "zh-hans"),
    ("reception", "静", "孙", "outlet_reception", "sh-pudong", "zh-hans"),
    ("technician", "强", "周", "technician", "sh-pudong", "zh-hans"),
    ("storekeeper", "Ольга", "Иванова", "storekeeper", "nsk-center", "ru"),
    ("xuhui-head", "德华", "吳", "unit_head", "sh-xuhui", "zh-hant"),
]


class Command(BaseCommand):
    help = "Create the demo service network, people and calendars (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        sync_system_positions()
        created = 0
        for code, name, kind, ownership, parent_code, tz, address in NETWORK:
            if Unit.objects.filter(code=code).exists():
                continue
            parent = Unit.objects.get(code=parent_code) if parent_code else None
            unit_create(
                parent=parent,
                code=code,
                name=name,
                kind=kind,
                ownership=ownership,
                timezone=tz,
                address=address,
            )
            created += 1
        self._calendars()
        positions = {p.code: p for p in Position.objects.all()}
        for username, first, last, position, unit_code, language in PEOPLE:
            if User.objects.filter(username=username).exists():
                continue
            user_create(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.aftersales.example",
                position=positions[position],
                unit=Unit.objects.get(code=unit_code),
                preferred_language=language,
            )
            created += 1
        created += self._customers_and_products()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new records)."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username, _first, _last, position, unit_code, _lang in PEOPLE:
                self.stdout.write(f"  {username:<12} {position:<18} {unit_code}")

    def _customers_and_products(self) -> int:
        from aftersales.demo import customers_and_products as demo
        from aftersales.demo import service_requests as requests_demo

        admin = User.objects.get(username="admin")
        created = demo.seed_catalog()
        made, customers = demo.seed_customers(admin)
        created += made
        created += demo.seed_products(admin, customers)
        created += requests_demo.seed_request_configuration(admin)
        created += requests_demo.seed_requests(admin, customers)
        from aftersales.demo import stock as stock_demo

        created += stock_demo.seed_stock(admin)  # warehouses, opening stock, a transfer
        from aftersales.demo import work_orders as work_orders_demo

        # In-store repairs at the Pudong outlet: in repair with a part, at the factory, a quote
        # waiting for the customer, one handed back.
        created += work_orders_demo.seed_work_orders(admin)
        from aftersales.demo import field_service as field_demo

        # Field engineers (and the Shanghai one's login, engineer-sh), policy, today's visits.
        return created + field_demo.seed_field_service(admin, DEMO_PASSWORD)

    def _calendars(self) -> None:
        hq = Unit.objects.get(code="hq")
        sibir = Unit.objects.get(code="sibir")
        china, made = BusinessCalendar.objects.get_or_create(
            name="中国 · China", owner=hq, defaults={"country": "CN"}
        )
        if made:
            _working_week(
                china,
                [
                    (datetime.time(8, 30), datetime.time(12, 0)),
                    (datetime.time(13, 30), datetime.time(17, 30)),
                ],
            )
            _load_holidays(china)
        russia, made = BusinessCalendar.objects.get_or_create(
            name="Россия · Russia", owner=sibir, defaults={"country": "RU"}
        )
        if made:
            _working_week(
                russia,
                [
                    (datetime.time(9, 0), datetime.time(13, 0)),
                    (datetime.time(14, 0), datetime.time(18, 0)),
                ],
            )
            _load_holidays(russia)
        Unit.objects.filter(pk=hq.pk, calendar__isnull=True).update(calendar=china)
        Unit.objects.filter(pk=sibir.pk, calendar__isnull=True).update(calendar=russia)
        configuration.changed()  # the updates and bulk inserts above send no signals


def _working_week(
    calendar: BusinessCalendar, day: list[tuple[datetime.time, datetime.time]]
) -> None:
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in day
    )


def _load_holidays(calendar: BusinessCalendar) -> None:
    from aftersales.calendars.services import load_public_holidays

    this_year = timezone.localdate().year
    load_public_holidays(calendar=calendar, years=range(this_year - 1, this_year + 2))

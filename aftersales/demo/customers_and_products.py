"""Demo catalog, customers and their products, for seed_demo.

Everything is found again by its code (catalog), customer number or (model, serial) on a second
run, so seeding twice changes nothing. Dates are relative to the day of the first run: some
products are in warranty, some out of it, a few under an extended warranty, two without a
known purchase date."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from aftersales.catalog.models import (
    FaultCode,
    LabourItem,
    Part,
    PriceList,
    PriceListItem,
    ProductCategory,
    ProductionBatch,
    ProductModel,
    RepairCode,
)
from aftersales.customers.models import Customer, CustomerKind
from aftersales.customers.services import customer_create
from aftersales.installed_base.models import InstalledProduct, normalise_serial
from aftersales.installed_base.selectors import add_months
from aftersales.installed_base.services import product_register, product_transfer
from aftersales.organisation.models import Unit

if TYPE_CHECKING:
    from aftersales.accounts.models import User

# code, name
CATEGORIES = [
    ("washers", "洗衣机 · Washing machines"),
    ("phones", "手机 · Mobile phones"),
    ("aircon", "空调 · Air conditioners"),
]
# category, code, name, warranty months
MODELS = [
    ("washers", "WM-D80", "滚筒洗衣机 D80 · Front loader D80", 24),
    ("washers", "WM-T65", "波轮洗衣机 T65 · Top loader T65", 12),
    ("phones", "PH-X5", "X5 智能手机 · X5 smartphone", 12),
    ("phones", "PH-X7P", "X7 Pro 智能手机 · X7 Pro smartphone", 24),
    ("aircon", "AC-K26", "挂壁式空调 K26 · Wall split K26", 36),
    ("aircon", "AC-K72", "柜式空调 K72 · Floor-standing K72", 72),
]
# part number, en, zh-hans, zh-hant, ru, price (CNY), compatible model codes
PARTS = [
    (
        "WM-PCB-01",
        "Main control board",
        "主控板",
        "主控板",
        "Плата управления",
        "320.00",
        ["WM-D80"],
    ),
    ("WM-PMP-02", "Drain pump", "排水泵", "排水泵", "Сливной насос", "85.00", ["WM-D80", "WM-T65"]),
    ("WM-BLT-03", "Drive belt", "传动皮带", "傳動皮帶", "Приводной ремень", "25.00", ["WM-T65"]),
    ("WM-SEL-04", "Door seal", "门封圈", "門封圈", "Манжета люка", "60.00", ["WM-D80"]),
    (
        "PH-LCD-05",
        "Display module",
        "显示屏总成",
        "顯示屏總成",
        "Дисплейный модуль",
        "450.00",
        ["PH-X5"],
    ),
    ("PH-BAT-06", "Battery", "电池", "電池", "Аккумулятор", "120.00", ["PH-X5", "PH-X7P"]),
    (
        "PH-CAM-07",
        "Rear camera",
        "后置摄像头",
        "後置攝像頭",
        "Основная камера",
        "210.00",
        ["PH-X7P"],
    ),
    ("AC-CMP-08", "Compressor", "压缩机", "壓縮機", "Компрессор", "980.00", ["AC-K26", "AC-K72"]),
    (
        "AC-FAN-09",
        "Indoor fan motor",
        "室内风机",
        "室內風機",
        "Двигатель вентилятора",
        "150.00",
        ["AC-K26"],
    ),
    (
        "AC-SNS-10",
        "Temperature sensor",
        "温度传感器",
        "溫度感測器",
        "Датчик температуры",
        "18.00",
        ["AC-K26", "AC-K72"],
    ),
]
# category (None: every category), code, name
FAULT_CODES = [
    (None, "F00", "无法开机 · No power"),
    ("washers", "F-W01", "漏水 · Water leak"),
    ("washers", "F-W02", "不排水 · Does not drain"),
    ("phones", "F-P01", "屏幕破裂 · Cracked screen"),
    ("phones", "F-P02", "电池鼓包 · Swollen battery"),
    ("aircon", "F-A01", "不制冷 · Does not cool"),
    ("aircon", "F-A02", "噪音大 · Loud noise"),
]
REPAIR_CODES = [
    (None, "R00", "检测无故障 · No fault found"),
    (None, "R01", "更换部件 · Part replaced"),
    ("aircon", "R-A01", "补充冷媒 · Refrigerant recharged"),
    ("phones", "R-P01", "软件升级 · Software updated"),
]
# code, name, category, minutes, price
LABOUR = [
    ("DIAG", "检测 · Diagnosis", None, 30, "50.00"),
    ("REPAIR-STD", "标准维修 · Standard repair", None, 60, "120.00"),
    ("AC-INSTALL", "空调安装 · Air conditioner installation", "aircon", 120, "200.00"),
]

# outlet code → customers: (kind, name, phones as typed locally)
CUSTOMERS = {
    "sh-pudong": [
        ("person", "张伟", ["138 0013 8000"]),
        ("person", "李娜", ["139-1762-0451"]),
        ("person", "王芳", ["+86 186 2150 3377"]),
        ("company", "上海浦江物业管理有限公司", ["021-5080 1234"]),
        ("person", "刘洋", ["13611870022"]),
        ("person", "陈静", ["158 2177 9031"]),
        ("company", "张江科技园餐饮服务中心", ["(021) 5895 6600", "137 6188 2040"]),
    ],
    "sh-xuhui": [
        ("person", "杨帆", ["135 6402 7781"]),
        ("person", "赵敏", ["189 1622 4508"]),
        ("company", "徐家汇商城有限公司", ["021-6487 0099"]),
        ("person", "黄磊", ["+86-150-2101-3394"]),
        ("person", "周婷", ["177 1734 0218"]),
        ("person", "吴强", ["0086 139 1815 2763"]),
        ("company", "天钥桥酒店管理有限公司", ["021 6468 3300"]),
    ],
    "hz-xihu": [
        ("person", "徐丽", ["137 5710 4436"]),
        ("person", "孙浩", ["18868 792 015"]),
        ("company", "西湖茶业有限公司", ["0571-8797 2211"]),
        ("person", "胡军", ["159 8811 3320"]),
        ("person", "朱琳", ["136 5712 8874"]),
        ("person", "高峰", ["+86 135 8862 0047"]),
        ("company", "杭州文三路小学", ["0571 8821 5060"]),
    ],
    "hz-binjiang": [
        ("person", "林涛", ["187 5800 3391"]),
        ("person", "何静", ["153 8826 1170"]),
        ("company", "滨江网络科技有限公司", ["0571-8669 3000"]),
        ("person", "郭鹏", ["180 6715 9282"]),
        ("person", "马丽", ["139 5716 0065"]),
        ("person", "罗斌", ["152 6711 4438"]),
        ("company", "江南大道物流有限公司", ["0571 8773 1188", "131 7788 0012"]),
    ],
    "nsk-center": [
        ("person", "Иванов Сергей Петрович", ["8 (913) 123-45-67"]),
        ("person", "Смирнова Елена Викторовна", ["+7 923 456-78-90"]),
        ("company", "ООО «Сибирский холод»", ["8 383 222-33-44"]),
        ("person", "Кузнецов Андрей Олегович", ["8-913-905-11-22"]),
        ("person", "Попова Мария Игоревна", ["+7 (983) 310 20 30"]),
        ("company", "АО «Новосибирскэнергосбыт»", ["(383) 229-89-89"]),
    ],
    "nsk-akadem": [
        ("person", "Соколов Дмитрий Александрович", ["8 913 700 12 34"]),
        ("person", "Лебедева Ольга Сергеевна", ["+79139001122"]),
        ("company", "ИП Морозов А. В.", ["8 (383) 330-12-12"]),
        ("person", "Новиков Павел Юрьевич", ["8 952 944 55 66"]),
        ("person", "Фёдорова Анна Дмитриевна", ["+7 913 388-77-66"]),
        ("company", "Институт катализа СО РАН, хозяйственный отдел", ["+7 (383) 330-82-69"]),
    ],
}
DEALERS = {
    "sh": ["苏宁易购 · Suning", "国美电器 · Gome", "京东 · JD.com"],
    "hz": ["苏宁易购 · Suning", "天猫 · Tmall", "京东 · JD.com"],
    "nsk": ["М.Видео", "DNS", "Эльдорадо"],
}
PRODUCTS_PER_CUSTOMER = (2, 1, 2, 1, 2)  # cycled: ~60 products for 40 customers


def _luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _imei(number: int) -> str:
    """An IMEI as people type it, with dashes: TAC-serial-check digit."""
    body = f"35209900{number:06d}"
    return f"{body[:2]}-{body[2:8]}-{body[8:]}-{_luhn_digit(body)}"


def seed_catalog() -> int:
    created = 0
    categories = {}
    for code, name in CATEGORIES:
        categories[code], made = ProductCategory.objects.get_or_create(
            code=code, defaults={"name": name}
        )
        created += made
    for category, code, name, months in MODELS:
        model, made = ProductModel.objects.get_or_create(
            code=code,
            defaults={"name": name, "category": categories[category], "warranty_months": months},
        )
        created += made
        for year in (2024, 2025):
            _batch, made = ProductionBatch.objects.get_or_create(
                model=model,
                code=f"{code}-{year}A",
                defaults={"produced_on": datetime.date(year, 3, 1)},
            )
            created += made
    models = {
        model.code: model for model in ProductModel.objects.filter(code__in=[m[1] for m in MODELS])
    }
    for number, en, hans, hant, ru, price, fits in PARTS:
        part, made = Part.objects.get_or_create(
            part_number=number,
            defaults={
                "name_en": en,
                "name_zh_hans": hans,
                "name_zh_hant": hant,
                "name_ru": ru,
                "price": Decimal(price),
            },
        )
        if made:
            part.compatible_models.set([models[code] for code in fits])
            created += 1
    for directory, rows in ((FaultCode, FAULT_CODES), (RepairCode, REPAIR_CODES)):
        for category, code, name in rows:
            _code, made = directory.objects.get_or_create(
                category=categories[category] if category else None,
                code=code,
                defaults={"name": name},
            )
            created += made
    for code, name, category, minutes, price in LABOUR:
        _item, made = LabourItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": categories[category] if category else None,
                "standard_minutes": minutes,
                "price": Decimal(price),
            },
        )
        created += made
    price_list, made = PriceList.objects.get_or_create(
        code="CN-2026",
        defaults={
            "name": "2026 服务价格 · 2026 service prices",
            "currency": "CNY",
            "valid_from": datetime.date(2026, 1, 1),
        },
    )
    if made:
        created += 1
        PriceListItem.objects.bulk_create(
            [
                PriceListItem(price_list=price_list, part=part, price=part.price)
                for part in Part.objects.filter(part_number__in=[p[0] for p in PARTS])
            ]
            + [
                PriceListItem(price_list=price_list, labour_item=item, price=item.price)
                for item in LabourItem.objects.filter(code__in=[row[0] for row in LABOUR])
            ]
        )
    return created


def seed_customers(user: User) -> tuple[int, list[Customer]]:
    created = 0
    customers = []
    existing = {
        c.code: c for c in Customer.objects.filter(code__startswith="DEMO-").select_related("unit")
    }
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=CUSTOMERS)}
    number = 0
    for outlet, rows in CUSTOMERS.items():
        unit = units[outlet]
        for kind, name, phones in rows:
            number += 1
            code = f"DEMO-{number:04d}"
            customer = existing.get(code)
            if customer is None:
                # Phones as typed locally: the card's service stores them in E.164.
                customer = customer_create(
                    user=user,
                    name=name,
                    unit=unit,
                    kind=CustomerKind(kind),
                    code=code,
                    phones=phones,
                    addresses=[{"text": unit.address}],
                )
                created += 1
            customers.append(customer)
    return created, customers


def seed_products(user: User, customers: list[Customer]) -> int:
    today = timezone.localdate()
    models = list(ProductModel.objects.filter(code__in=[m[1] for m in MODELS]).order_by("code"))
    batches = {batch.model_id: batch for batch in ProductionBatch.objects.filter(model__in=models)}
    known = set(InstalledProduct.objects.filter(model__in=models).values_list("model", "serial"))
    created = 0
    made: list[InstalledProduct] = []
    number = 0
    for index, customer in enumerate(customers):
        for _ in range(PRODUCTS_PER_CUSTOMER[index % len(PRODUCTS_PER_CUSTOMER)]):
            number += 1
            model = models[number % len(models)]
            typed = _imei(number) if model.code.startswith("PH-") else f"{model.code}-{number:05d}"
            if (model.pk, normalise_serial(typed)) in known:
                continue
            # Spread purchases over the last four years: old ones are out of warranty.
            age_days = (number * 53) % 1400
            unknown = number % 29 == 0
            extended = None
            purchase = None if unknown else today - datetime.timedelta(days=age_days)
            if purchase is not None and number % 7 == 0:
                extended = add_months(purchase, model.warranty_months + 24)
            region = "nsk" if customer.unit.code.startswith("nsk") else customer.unit.code[:2]
            fields: dict[str, Any] = {
                "customer": customer,
                "model": model,
                "serial": typed,
                "purchase_date": purchase,
                "dealer": DEALERS[region][number % 3],
                "warranty_months": None,
                "extended_warranty_end": extended,
                "batch": batches.get(model.pk) if number % 3 else None,
                "notes": "",
            }
            made.append(product_register(user=user, **fields))
            created += 1
    # Two products changed hands within their outlet, so the card's timeline shows one.
    for product in made[5:7]:
        neighbours = [c for c in customers if c.unit_id == product.customer.unit_id]
        new_owner = next(c for c in neighbours if c.pk != product.customer_id)
        changed_on = max(product.purchase_date or today, today - datetime.timedelta(days=30))
        product_transfer(
            product=product,
            new_owner=new_owner,
            changed_on=changed_on,
            note="转售 · Sold on",
            user=user,
        )
    return created

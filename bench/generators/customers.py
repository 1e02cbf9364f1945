"""Customers with phones and e-mails, the catalog's product models, and installed products with
serials / IMEIs: what the one-box search (bench/workloads/search.py) looks through.

Names are Chinese (70%: people 王伟明, companies 上海明华电器有限公司), Russian (20%:
Фёдоров Пётр Иванович, with ё where the name has it) and Latin (10%). The search column is
computed by `customers.search_text.customer_search_text`, exactly as the card, the merge and
the import write it. Phones are stored in E.164, as `customers.phones.normalise` would store
them: Chinese mobiles +86 1xx xxxx xxxx and Russian ones +7 9xx xxx xx xx, unique per
customer. Values are derived from the row number so the search workload can rebuild any
customer's keys without reading them back (see `keys_of`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from bench.generators import GenContext, generator

SURNAMES_ZH = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
)
GIVEN_ZH = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志文玲红春兰玉海波宁斌"
CITIES_ZH = ["上海", "北京", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "沈阳"]
TRADES_ZH = ["电器", "家电", "制冷", "科技", "贸易", "机电", "设备", "物业", "酒店", "超市"]
SUFFIX_ZH = ["有限公司", "服务中心", "股份有限公司", "商行"]
SURNAMES_RU = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
]  # fmt: skip
GIVEN_RU = [
    "Иван", "Сергей", "Алексей", "Андрей", "Дмитрий", "Михаил", "Николай", "Пётр", "Артём",
    "Фёдор", "Семён", "Олег", "Юрий", "Виктор", "Павел", "Роман", "Егор", "Кирилл", "Максим",
    "Денис",
]  # fmt: skip
PATRONYMICS_RU = ["Иванович", "Петрович", "Сергеевич", "Андреевич", "Николаевич", "Фёдорович"]
COMPANY_RU = ["ООО «Техсервис»", "ООО «Холодок»", "АО «Сибэнерго»", "ИП", "ООО «Климат»"]
SURNAMES_EN = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Walker", "Chan", "Wong", "Lee", "Ng", "Cheung",
]  # fmt: skip
GIVEN_EN = [
    "John", "Mary", "David", "Anna", "Peter", "Linda", "Michael", "Susan", "James", "Karen",
    "Kevin", "Grace", "Jason", "Emily", "Eric", "Alice",
]  # fmt: skip
# Chinese mobile prefixes that libphonenumber accepts (1 + two digits, then 8 digits).
CN_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158", "186", "188", "133", "189"]
PRODUCT_MODELS = 60
# Share of customers with an e-mail, with a second phone.
EMAIL_SHARE = 0.5
SECOND_PHONE_SHARE = 0.25


def phone_of(customer_id: int, second: bool = False) -> str:
    """The E.164 number of a customer's phone (Chinese customers' first phone is Chinese, the
    others Russian). Unique: the number carries the customer id."""
    if customer_id % 10 < 7 and not second:
        prefix = CN_PREFIXES[customer_id % len(CN_PREFIXES)]
        return f"+86{prefix}{customer_id:08d}"
    return f"+79{(1 if second else 0)}{customer_id:08d}"


def email_of(customer_id: int) -> str:
    return f"c{customer_id}@mail{customer_id % 7}.example.cn"


def serial_of(product_id: int) -> str:
    """A 15-digit IMEI-like serial, stored normalised (installed_base.normalise_serial)."""
    return f"86{product_id:013d}"


def code_of(customer_id: int) -> str:
    return f"C{customer_id:08d}"


def tax_number_of(customer_id: int, script: str) -> str:
    if script == "ru":
        return f"77{customer_id:08d}"  # a 10-digit INN
    return f"91310000MA{customer_id:07d}X"  # an 18-character unified social credit code


def _name(rng: Any, script: str, company: bool) -> str:
    if script == "zh":
        if company:
            given = rng.choice(GIVEN_ZH) + rng.choice(GIVEN_ZH)
            trade, suffix = rng.choice(TRADES_ZH), rng.choice(SUFFIX_ZH)
            return f"{rng.choice(CITIES_ZH)}{given}{trade}{suffix}"
        given = rng.choice(GIVEN_ZH) + (rng.choice(GIVEN_ZH) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES_ZH) + given
    if script == "ru":
        person = f"{rng.choice(SURNAMES_RU)} {rng.choice(GIVEN_RU)} {rng.choice(PATRONYMICS_RU)}"
        return f"{rng.choice(COMPANY_RU)} {person}" if company else person
    person = f"{rng.choice(GIVEN_EN)} {rng.choice(SURNAMES_EN)}"
    return f"{person} Trading Ltd" if company else person


def script_of(customer_id: int) -> str:
    digit = customer_id % 10
    return "zh" if digit < 7 else ("ru" if digit < 9 else "en")


@generator("customers", after=("units",), version="1")
def customers(ctx: GenContext) -> dict[str, int]:
    """customers_customer (+ customers_phone, customers_email): scale.count("customers")
    customers of the outlets (90%) and centres (10%), 15% companies with a tax number; every
    customer one phone, a quarter a second one, half an e-mail."""
    from aftersales.customers.models import Customer, Email, Phone
    from aftersales.customers.search_text import customer_search_text

    total = ctx.scale.count("customers")
    rng = ctx.rng("customers")
    tree = ctx.shared["units"]
    outlets = [u.id for u in tree if u.kind == "outlet"]
    centres = [u.id for u in tree if u.kind == "centre"]
    created = ctx.now - timedelta(days=400)

    def rows() -> Iterator[tuple[Any, ...]]:
        for customer_id in range(1, total + 1):
            script = script_of(customer_id)
            company = rng.random() < 0.15
            name = _name(rng, script, company)
            code = code_of(customer_id)
            unit = rng.choice(outlets) if rng.random() < 0.9 else rng.choice(centres)
            yield (
                customer_id,
                code,
                "company" if company else "person",
                name,
                tax_number_of(customer_id, script) if company else "",
                unit,
                customer_search_text(name, code),
            )

    columns = ["id", "code", "kind", "name", "tax_number", "unit_id", "search_text"]
    count = ctx.loader.load(
        Customer, columns, rows(), constants={"created_at": created, "updated_at": created}
    )
    ctx.shared["customer_count"] = count

    def phone_rows() -> Iterator[tuple[Any, ...]]:
        for customer_id in range(1, count + 1):
            yield (customer_id, phone_of(customer_id), "mobile")
            if customer_id % 4 == 1:
                yield (customer_id, phone_of(customer_id, second=True), "home")

    def email_rows() -> Iterator[tuple[Any, ...]]:
        for customer_id in range(1, count + 1, 2):
            yield (customer_id, email_of(customer_id))

    phone_count = ctx.loader.load(Phone, ["customer_id", "number", "kind"], phone_rows())
    email_count = ctx.loader.load(Email, ["customer_id", "address"], email_rows())
    return {
        "customers_customer": count,
        "customers_phone": phone_count,
        "customers_email": email_count,
    }


@generator("installed_products", after=("customers",), version="1")
def installed_products(ctx: GenContext) -> dict[str, int]:
    """catalog_productcategory / catalog_productmodel (a few dozen models) and
    installed_base_installedproduct: scale.count("installed_products") products with unique
    IMEI-like serials, owners drawn at random."""
    from aftersales.catalog.models import ProductCategory, ProductModel
    from aftersales.installed_base.models import InstalledProduct

    rng = ctx.rng("installed_products")
    categories = ctx.loader.load(
        ProductCategory,
        ["id", "code", "name"],
        [(1, "phones", "手机"), (2, "appliances", "家电"), (3, "hvac", "空调")],
    )
    models = ctx.loader.load(
        ProductModel,
        ["id", "category_id", "code", "name", "warranty_months"],
        [
            (number, number % 3 + 1, f"BM-{number:03d}", f"Bench model {number}", 12)
            for number in range(1, PRODUCT_MODELS + 1)
        ],
    )
    total = ctx.scale.count("installed_products")
    owners = ctx.shared["customer_count"]
    start = date(2024, 1, 1)

    def rows() -> Iterator[tuple[Any, ...]]:
        for product_id in range(1, total + 1):
            bought = start + timedelta(days=rng.randrange(0, 900))
            yield (
                product_id,
                rng.randrange(1, owners + 1),
                rng.randrange(1, PRODUCT_MODELS + 1),
                serial_of(product_id),
                bought,
                bought + timedelta(days=365),
            )

    columns = ["id", "customer_id", "model_id", "serial", "purchase_date", "warranty_end"]
    count = ctx.loader.load(InstalledProduct, columns, rows(), constants={"created_at": ctx.now})
    return {
        "catalog_productcategory": categories,
        "catalog_productmodel": models,
        "installed_base_installedproduct": count,
    }

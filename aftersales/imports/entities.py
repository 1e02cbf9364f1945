"""What can be imported: one declarative spec per entity.

A spec lists its fields (label, required, the parser that turns a cell into a value, header
aliases in Chinese, Russian and English that guess the column mapping) and documents its
natural key, the key a re-import finds the existing record by, so loading the same file twice
updates instead of duplicating:

* customers — the customer number (code) when the row has one, else the tax number, else the
  first phone (E.164). Matching by tax number or phone looks only at customers the importing
  user can see; a number is unique in the whole organisation, so a number that belongs to a
  customer outside the user's units is a row error.
* contacts — (customer number, contact name).
* product models — the model number.
* parts — the part number.
* installed base — (model number, serial normalised: no spaces/dashes, upper case); the owner
  is given by customer number.

Row errors are stored as a message code and parameters (see MESSAGES) and rendered when shown,
in the language of whoever reads the report, not frozen in the uploader's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import CODE_VALIDATOR, UnitOfMeasure
from aftersales.customers.models import CustomerKind
from aftersales.customers.phones import first_reading

# --- Messages ------------------------------------------------------------------------------------

MESSAGES: dict[str, Promise] = {
    "required": _("This column is required."),
    "too_long": _("Longer than %(limit)s characters."),
    "invalid_phone": _("“%(value)s” is not a valid phone number."),
    "invalid_email": _("“%(value)s” is not a valid e-mail address."),
    "invalid_date": _("“%(value)s” is not a date (use 2026-03-31, 31.03.2026 or 2026/03/31)."),
    "invalid_number": _("“%(value)s” is not a number."),
    "invalid_integer": _("“%(value)s” is not a whole number."),
    "negative": _("Must not be negative."),
    "invalid_boolean": _("“%(value)s” is not yes or no."),
    "invalid_choice": _("“%(value)s” is not one of: %(choices)s."),
    "invalid_code": _("Use only Latin letters, digits, dots, dashes and underscores."),
    "no_customer_key": _("The row needs a customer number, a tax number or a phone."),
    "duplicate_in_file": _("The same record is already in row %(row)s."),
    "foreign_customer": _("Customer %(value)s belongs to a unit outside yours."),
    "unknown_customer": _("There is no customer with number %(value)s in your units."),
    "ambiguous_customer": _(
        "%(value)s matches %(count)s customers: give the customer number to choose one."
    ),
    "unknown_model": _("There is no product model %(value)s."),
    "unknown_category": _("There is no product category %(value)s."),
    "name_required": _("A new record needs a name."),
    "category_required": _("A new product model needs a category."),
    "purchase_in_future": _("The purchase date %(value)s is in the future."),
    "warranty_before_purchase": _("The warranty ends before the purchase date."),
    "other_owner": _(
        "This product belongs to another customer (%(value)s): record an ownership change on "
        "the product card instead."
    ),
    "invalid": _("%(value)s"),
}


class CellError(Exception):
    """A cell (or a row, when column is "") cannot be loaded; the message is a MESSAGES code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def render_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The message of an error code in the active language."""
    template = MESSAGES.get(code, MESSAGES["invalid"])
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


# --- Parsers -------------------------------------------------------------------------------------
# A parser takes the stripped cell text (never empty: empty cells are None before parsing) and
# returns the value or raises CellError.

Parser = Callable[[str], Any]


def text(limit: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise CellError("too_long", limit=limit)
        return value

    return parse


def code(limit: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise CellError("too_long", limit=limit)
        try:
            CODE_VALIDATOR(value)
        except ValidationError as exc:
            raise CellError("invalid_code") from exc
        return value

    return parse


def phones(value: str) -> list[str]:
    """One or more numbers separated by commas, semicolons or slashes → E.164 each."""
    numbers = [part.strip() for part in re.split(r"[,;/，；、]", value) if part.strip()]
    result: list[str] = []
    for number in numbers:
        e164 = first_reading(number)
        if e164 is None:
            raise CellError("invalid_phone", value=number[:40])
        if e164 not in result:
            result.append(e164)
    return result


def emails(value: str) -> list[str]:
    addresses = [part.strip() for part in re.split(r"[,;，；\s]+", value) if part.strip()]
    result: list[str] = []
    for address in addresses:
        address = address.lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise CellError("invalid_email", value=address[:254]) from exc
        if len(address) > 254:
            raise CellError("too_long", limit=254)
        if address not in result:
            result.append(address)
    return result


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%d.%m.%y")


def parse_date(value: str) -> date:
    candidate = value.strip()
    # A datetime cell from Excel arrives as "2026-03-31 00:00:00".
    candidate = candidate.split(" ")[0] if re.match(r"\d{4}-\d\d-\d\d ", candidate) else candidate
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise CellError("invalid_date", value=value[:40])


def parse_decimal(value: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", value).replace(" ", "").replace("\u00a0", "")
    cleaned = cleaned.lstrip("¥￥₽$€").rstrip("元руб.₽")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 1234,50 (Russian decimal comma)
    else:
        cleaned = cleaned.replace(",", "")  # 1,234.50 (thousands separator)
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise CellError("invalid_number", value=value[:40]) from exc
    if not number.is_finite():
        raise CellError("invalid_number", value=value[:40])
    if number < 0:
        raise CellError("negative")
    return number.quantize(Decimal("0.01"))


def parse_months(value: str) -> int:
    try:
        number = Decimal(unicodedata.normalize("NFKC", value).strip())
    except InvalidOperation as exc:
        raise CellError("invalid_integer", value=value[:40]) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("invalid_integer", value=value[:40])
    if number < 0:
        raise CellError("negative")
    if number > 600:
        raise CellError("invalid_integer", value=value[:40])
    return int(number)


_TRUE = {"1", "y", "yes", "true", "t", "x", "+", "是", "有", "对", "對", "да", "д", "истина"}
_FALSE = {"0", "n", "no", "false", "f", "-", "否", "无", "無", "不", "нет", "н", "ложь"}


def parse_boolean(value: str) -> bool:
    lowered = unicodedata.normalize("NFKC", value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError("invalid_boolean", value=value[:40])


def choice(options: dict[str, str], shown: str) -> Parser:
    """A value from `options` (spelling → stored value, compared case-insensitively)."""
    lookup = {key.lower(): stored for key, stored in options.items()}

    def parse(value: str) -> str:
        found = lookup.get(unicodedata.normalize("NFKC", value).strip().lower())
        if found is None:
            raise CellError("invalid_choice", value=value[:40], choices=shown)
        return found

    return parse


_KINDS = {
    "person": CustomerKind.PERSON,
    "individual": CustomerKind.PERSON,
    "个人": CustomerKind.PERSON,
    "個人": CustomerKind.PERSON,
    "физлицо": CustomerKind.PERSON,
    "физ. лицо": CustomerKind.PERSON,
    "физическое лицо": CustomerKind.PERSON,
    "частное лицо": CustomerKind.PERSON,
    "company": CustomerKind.COMPANY,
    "organisation": CustomerKind.COMPANY,
    "organization": CustomerKind.COMPANY,
    "企业": CustomerKind.COMPANY,
    "企業": CustomerKind.COMPANY,
    "公司": CustomerKind.COMPANY,
    "单位": CustomerKind.COMPANY,
    "單位": CustomerKind.COMPANY,
    "юрлицо": CustomerKind.COMPANY,
    "юр. лицо": CustomerKind.COMPANY,
    "юридическое лицо": CustomerKind.COMPANY,
    "организация": CustomerKind.COMPANY,
}
_UNITS_OF_MEASURE = {
    **{value: value for value in UnitOfMeasure.values},
    "piece": "pcs",
    "pc": "pcs",
    "个": "pcs",
    "個": "pcs",
    "件": "pcs",
    "只": "pcs",
    "шт": "pcs",
    "шт.": "pcs",
    "штука": "pcs",
    "套": "set",
    "компл": "set",
    "компл.": "set",
    "комплект": "set",
    "米": "m",
    "м": "m",
    "公斤": "kg",
    "千克": "kg",
    "кг": "kg",
    "升": "l",
    "л": "l",
}


# --- Specs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    label: Promise
    parse: Parser
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str
    label: Promise
    fields: tuple[Field, ...]
    natural_key: Promise
    # Permissions the importing user needs besides imports.add_importjob.
    permissions: tuple[str, ...]

    def field(self, name: str) -> Field:
        return next(field for field in self.fields if field.name == name)

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]


def _f(name: str, label: Promise, parse: Parser, *aliases: str, required: bool = False) -> Field:
    return Field(name, label, parse, required, aliases)


CUSTOMERS = Entity(
    name="customers",
    label=_("Customers"),
    natural_key=_(
        "A customer is found by customer number; without one by tax number; without that by "
        "the first phone."
    ),
    permissions=("customers.add_customer", "customers.change_customer"),
    fields=(
        _f(
            "code",
            _("Customer number"),
            text(40),
            "customer number",
            "customer code",
            "code",
            "customer id",
            "客户编号",
            "客户代码",
            "客户号",
            "编号",
            "客戶編號",
            "客戶代碼",
            "編號",
            "код",
            "код клиента",
            "номер клиента",
            "код контрагента",
        ),
        _f(
            "name",
            _("Name"),
            text(300),
            "name",
            "customer",
            "customer name",
            "company",
            "客户名称",
            "客户",
            "名称",
            "姓名",
            "客戶名稱",
            "客戶",
            "名稱",
            "наименование",
            "название",
            "контрагент",
            "клиент",
            "фио",
            "имя",
            required=True,
        ),
        _f(
            "kind",
            _("Kind (person or company)"),
            choice(_KINDS, "person, company"),
            "kind",
            "type",
            "customer type",
            "类型",
            "客户类型",
            "類型",
            "客戶類型",
            "тип",
            "вид",
        ),
        _f(
            "tax_number",
            _("Tax number"),
            text(40),
            "tax number",
            "tax id",
            "vat",
            "inn",
            "税号",
            "纳税人识别号",
            "统一社会信用代码",
            "稅號",
            "統一編號",
            "инн",
        ),
        _f(
            "phone",
            _("Phones"),
            phones,
            "phone",
            "phones",
            "telephone",
            "mobile",
            "tel",
            "电话",
            "手机",
            "手机号",
            "联系电话",
            "電話",
            "手機",
            "聯絡電話",
            "телефон",
            "телефоны",
            "мобильный",
            "тел",
            "тел.",
        ),
        _f(
            "email",
            _("E-mails"),
            emails,
            "email",
            "e-mail",
            "mail",
            "邮箱",
            "电子邮件",
            "郵箱",
            "電子郵件",
            "электронная почта",
            "почта",
            "e-mail адрес",
        ),
        _f("address", _("Address"), text(500), "address", "地址", "住址", "адрес"),
        _f(
            "postcode",
            _("Postcode"),
            text(20),
            "postcode",
            "zip",
            "zip code",
            "postal code",
            "邮编",
            "邮政编码",
            "郵遞區號",
            "郵編",
            "индекс",
            "почтовый индекс",
        ),
        _f(
            "contact_name",
            _("Contact person"),
            text(200),
            "contact",
            "contact person",
            "联系人",
            "聯絡人",
            "聯繫人",
            "контактное лицо",
            "контакт",
        ),
        _f(
            "notes",
            _("Notes"),
            text(10000),
            "notes",
            "note",
            "comment",
            "备注",
            "備註",
            "примечание",
            "комментарий",
        ),
        _f(
            "is_active",
            _("Active"),
            parse_boolean,
            "active",
            "有效",
            "启用",
            "啟用",
            "активен",
            "активный",
        ),
    ),
)

CONTACTS = Entity(
    name="contacts",
    label=_("Contacts"),
    natural_key=_("A contact is found by customer number and contact name."),
    permissions=("customers.add_customer", "customers.change_customer"),
    fields=(
        _f(
            "customer_code",
            _("Customer number"),
            text(40),
            "customer number",
            "customer code",
            "customer",
            "客户编号",
            "客户代码",
            "客戶編號",
            "код клиента",
            "код контрагента",
            "номер клиента",
            required=True,
        ),
        _f(
            "name",
            _("Contact name"),
            text(200),
            "name",
            "contact",
            "contact name",
            "联系人",
            "姓名",
            "聯絡人",
            "контактное лицо",
            "фио",
            "имя",
            required=True,
        ),
        _f(
            "position",
            _("Position"),
            text(200),
            "position",
            "title",
            "job title",
            "职务",
            "职位",
            "職務",
            "職位",
            "должность",
        ),
        _f(
            "phone",
            _("Phones"),
            phones,
            "phone",
            "mobile",
            "电话",
            "手机",
            "電話",
            "手機",
            "телефон",
            "мобильный",
        ),
        _f(
            "email",
            _("E-mails"),
            emails,
            "email",
            "e-mail",
            "邮箱",
            "郵箱",
            "почта",
            "электронная почта",
        ),
        _f(
            "is_primary",
            _("Main contact"),
            parse_boolean,
            "main",
            "primary",
            "main contact",
            "主要联系人",
            "主要聯絡人",
            "основной",
            "основной контакт",
        ),
    ),
)

PRODUCT_MODELS = Entity(
    name="product_models",
    label=_("Product models"),
    natural_key=_("A product model is found by its model number."),
    permissions=("catalog.add_productmodel", "catalog.change_productmodel"),
    fields=(
        _f(
            "code",
            _("Model number"),
            code(60),
            "model",
            "model number",
            "model code",
            "code",
            "型号",
            "型號",
            "产品型号",
            "產品型號",
            "модель",
            "код модели",
            "артикул",
            required=True,
        ),
        _f(
            "name",
            _("Name"),
            text(200),
            "name",
            "model name",
            "名称",
            "产品名称",
            "名稱",
            "產品名稱",
            "наименование",
            "название",
        ),
        _f(
            "category",
            _("Category code"),
            text(40),
            "category",
            "category code",
            "类别",
            "品类",
            "分类",
            "類別",
            "分類",
            "категория",
            "код категории",
        ),
        _f(
            "warranty_months",
            _("Warranty, months"),
            parse_months,
            "warranty",
            "warranty months",
            "保修期",
            "保修月数",
            "保固期",
            "保修期(月)",
            "гарантия",
            "гарантия, мес",
            "гарантия, мес.",
        ),
        _f(
            "is_active",
            _("Active"),
            parse_boolean,
            "active",
            "有效",
            "启用",
            "啟用",
            "активна",
            "активен",
        ),
    ),
)

PARTS = Entity(
    name="parts",
    label=_("Spare parts"),
    natural_key=_("A part is found by its part number."),
    permissions=("catalog.add_part", "catalog.change_part"),
    fields=(
        _f(
            "part_number",
            _("Part number"),
            text(60),
            "part number",
            "part no",
            "part",
            "code",
            "备件编号",
            "配件编号",
            "零件号",
            "料号",
            "備件編號",
            "零件號",
            "料號",
            "артикул",
            "номер детали",
            "код запчасти",
            required=True,
        ),
        _f(
            "name_en",
            _("Name (English)"),
            text(200),
            "name",
            "name (english)",
            "english name",
            "英文名称",
            "英文名稱",
            "наименование (англ.)",
        ),
        _f(
            "name_zh_hans",
            _("Name (Simplified Chinese)"),
            text(200),
            "名称",
            "备件名称",
            "配件名称",
            "中文名称",
            "name (simplified chinese)",
        ),
        _f(
            "name_zh_hant",
            _("Name (Traditional Chinese)"),
            text(200),
            "名稱",
            "備件名稱",
            "零件名稱",
            "name (traditional chinese)",
        ),
        _f("name_ru", _("Name (Russian)"), text(200), "наименование", "название", "name (russian)"),
        _f(
            "unit_of_measure",
            _("Unit of measure"),
            choice(_UNITS_OF_MEASURE, "pcs, set, m, kg, l"),
            "unit",
            "uom",
            "unit of measure",
            "单位",
            "單位",
            "计量单位",
            "ед. изм.",
            "ед.изм.",
            "единица измерения",
        ),
        _f("price", _("Price"), parse_decimal, "price", "价格", "单价", "價格", "單價", "цена"),
        _f(
            "serial_tracked",
            _("Serial-tracked"),
            parse_boolean,
            "serial tracked",
            "serial",
            "序列号管理",
            "序號管理",
            "серийный учёт",
            "серийный учет",
        ),
        _f(
            "is_active",
            _("Active"),
            parse_boolean,
            "active",
            "有效",
            "启用",
            "啟用",
            "активна",
            "активен",
        ),
    ),
)

INSTALLED_BASE = Entity(
    name="installed_base",
    label=_("Installed base"),
    natural_key=_(
        "A product is found by model number and serial number (spaces and dashes ignored)."
    ),
    permissions=("installed_base.add_installedproduct", "installed_base.change_installedproduct"),
    fields=(
        _f(
            "model",
            _("Model number"),
            text(60),
            "model",
            "model number",
            "型号",
            "型號",
            "产品型号",
            "產品型號",
            "модель",
            "код модели",
            required=True,
        ),
        _f(
            "serial",
            _("Serial number / IMEI"),
            text(64),
            "serial",
            "serial number",
            "sn",
            "s/n",
            "imei",
            "序列号",
            "机身号",
            "序號",
            "序列號",
            "серийный номер",
            "серийный №",
            "зав. номер",
            "заводской номер",
            required=True,
        ),
        _f(
            "customer_code",
            _("Owner's customer number"),
            text(40),
            "customer number",
            "customer code",
            "customer",
            "owner",
            "客户编号",
            "客户代码",
            "客戶編號",
            "код клиента",
            "код контрагента",
            "владелец",
            required=True,
        ),
        _f(
            "purchase_date",
            _("Purchase date"),
            parse_date,
            "purchase date",
            "sold",
            "sale date",
            "购买日期",
            "购机日期",
            "销售日期",
            "購買日期",
            "購機日期",
            "дата покупки",
            "дата продажи",
        ),
        _f(
            "warranty_months",
            _("Warranty, months"),
            parse_months,
            "warranty",
            "warranty months",
            "保修期",
            "保修月数",
            "保固期",
            "гарантия",
            "гарантия, мес",
        ),
        _f(
            "warranty_end",
            _("Warranty end"),
            parse_date,
            "warranty end",
            "warranty until",
            "保修截止",
            "保修到期",
            "保固到期",
            "гарантия до",
            "окончание гарантии",
        ),
        _f(
            "dealer",
            _("Dealer"),
            text(200),
            "dealer",
            "seller",
            "经销商",
            "销售商",
            "經銷商",
            "дилер",
            "продавец",
        ),
        _f("notes", _("Notes"), text(10000), "notes", "note", "备注", "備註", "примечание"),
    ),
)

ENTITIES: dict[str, Entity] = {
    entity.name: entity for entity in (CUSTOMERS, CONTACTS, PRODUCT_MODELS, PARTS, INSTALLED_BASE)
}


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower().replace("ё", "е")
    return re.sub(r"[\s_*:：]+", " ", text).strip()


def guess_mapping(entity: Entity, header: list[str]) -> dict[str, str]:
    """{column index as text: field name} for the columns whose heading names a field (by an
    alias in any language, the field's name, or its label in the active language)."""
    lookup: dict[str, str] = {}
    for field in entity.fields:
        for alias in (field.name, str(field.label), *field.aliases):
            lookup.setdefault(_header_key(alias), field.name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, heading in enumerate(header):
        name = lookup.get(_header_key(heading))
        if name and name not in used:
            mapping[str(index)] = name
            used.add(name)
    return mapping


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    errors: list[tuple[str, str, dict[str, Any]]]  # (field name or "", code, params)
    key: Any = None  # the natural key, set by the loader
    existing: int | None = None  # pk of the record the key found
    customer_id: int | None = None  # the customer a contact or product belongs to


def parse_row(entity: Entity, mapping: dict[int, str], number: int, cells: list[str]) -> ParsedRow:
    """Parse the mapped cells of one row; empty cells are left out of `values`."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str, dict[str, Any]]] = []
    for index, name in mapping.items():
        raw = cells[index].strip() if index < len(cells) else ""
        if not raw:
            continue
        try:
            values[name] = FIELD_PARSERS[entity.name][name](raw)
        except CellError as error:
            errors.append((name, error.code, error.params))
    for field in entity.fields:
        if (
            field.required
            and field.name not in values
            and not any(e[0] == field.name for e in errors)
        ):
            errors.append((field.name, "required", {}))
    return ParsedRow(number, values, errors)


FIELD_PARSERS: dict[str, dict[str, Parser]] = {
    entity.name: {field.name: field.parse for field in entity.fields}
    for entity in ENTITIES.values()
}

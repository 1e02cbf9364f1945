"""f. One-box search: what a hotline agent waits for after typing a phone, an e-mail, a serial,
a tax number, a customer number or a name (search.selectors.one_box_search), against the same
SQL through the bare driver. Target: p95 under 50 ms with 2 million customers on PostgreSQL.

The agent works at HQ (sees every customer: the widest scope, the most name matches); one case
repeats a Chinese name search as an outlet head, where the scope filter rather than the name
does the narrowing. Each call forgets the user's cached scope paths, as a new request would.
Queries are rebuilt from the generator's formulas (bench/generators/customers.py) or read from
a customer in the middle of the table, and typed the way people type them (local phone
formats, e-mail in capitals, IMEI with dashes, ё written as е)."""

from __future__ import annotations

from typing import Any

from bench.compare import orm_vs_raw
from bench.workloads import Context, Result, workload

TARGET_MS = 50.0


def _fresh(user: Any) -> Any:
    user.__dict__.pop("_scope_paths", None)
    return user


def _national(e164: str) -> str:
    import phonenumbers

    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _dashed(serial: str) -> str:
    return f"{serial[:2]}-{serial[2:8]}-{serial[8:14]}-{serial[14:]}"


def _cases(total: int) -> list[tuple[str, str, str, tuple[str, ...], str]]:
    """(key, title, query, main-statement needles, user) for each case."""
    from aftersales.customers.models import Customer, CustomerKind, Email, Phone
    from aftersales.installed_base.models import InstalledProduct

    middle = max(total // 2, 1)
    customers = Customer.objects.order_by("pk")
    cn_phone = Phone.objects.filter(number__startswith="+86", customer_id__gte=middle)
    ru_phone = Phone.objects.filter(number__startswith="+79", customer_id__gte=middle)
    email = Email.objects.filter(customer_id__gte=middle).order_by("pk").first()
    product = InstalledProduct.objects.filter(pk__gte=middle).order_by("pk").first()
    company = (
        customers.filter(kind=CustomerKind.COMPANY, pk__gte=middle).exclude(tax_number="").first()
    )
    person = customers.filter(pk__gte=middle, kind=CustomerKind.PERSON)
    zh = next(c for c in person.filter(name__regex=r"^[^ A-Za-zА-Яа-яЁё]{3}$")[:50])
    ru = next(c for c in person.filter(name__contains="ё")[:50])
    en = next(c for c in person.filter(name__regex=r"^[A-Za-z]+ [A-Za-z]+$")[:50])
    ru_words = ru.name.split()
    en_given, en_surname = en.name.split()
    return [
        (
            "search.phone.cn",
            "Phone, Chinese mobile typed locally (138 0013 8000)",
            _national(cn_phone.order_by("pk").first().number),
            ('"customers_phone"',),
            "agent",
        ),
        (
            "search.phone.ru",
            "Phone, Russian mobile typed with the 8 prefix (8 (912) 345-67-89)",
            _national(ru_phone.order_by("pk").first().number),
            ('"customers_phone"',),
            "agent",
        ),
        (
            "search.email",
            "E-mail typed in capitals",
            email.address.upper(),
            ('"customers_email"',),
            "agent",
        ),
        (
            "search.serial",
            "Serial / IMEI typed with dashes",
            _dashed(product.serial),
            ('"installed_base_installedproduct"',),
            "agent",
        ),
        (
            "search.tax_number",
            "Company tax number",
            company.tax_number.lower(),
            ('"customers_customer"', '"tax_number" ='),
            "agent",
        ),
        (
            "search.code",
            "Customer number, lower case",
            (customers.filter(pk__gte=middle).first().code or "").lower(),
            ('"customers_customer"', '"tax_number" ='),
            "agent",
        ),
        (
            "search.name.zh",
            "Chinese name, three characters (two bigrams)",
            zh.name,
            ('"customers_customer"', "search_text"),
            "agent",
        ),
        (
            "search.name.zh.two",
            "Chinese name, two characters (one bigram, many matches)",
            zh.name[:2],
            ('"customers_customer"', "search_text"),
            "agent",
        ),
        (
            "search.name.ru",
            "Russian surname and name, ё typed as е, lower case",
            f"{ru_words[0]} {ru_words[1]}".lower().replace("ё", "е"),
            ('"customers_customer"', "search_text"),
            "agent",
        ),
        (
            "search.name.en",
            "Latin name: given name and the start of the surname",
            f"{en_given.lower()} {en_surname[:3].lower()}",
            ('"customers_customer"', "search_text"),
            "agent",
        ),
        (
            "search.name.zh.outlet",
            "Chinese two-character name searched by an outlet head (scope narrows)",
            zh.name[:2],
            ('"customers_customer"', "search_text"),
            "outlet",
        ),
    ]


@workload("search", order=45)
def search(ctx: Context) -> list[Result]:
    """one_box_search for phone, e-mail, serial, tax number, customer number and names."""
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer
    from aftersales.search.selectors import one_box_search

    total = Customer.objects.count()
    if not total:
        return [Result("search", "One-box search", status="not available: no customers")]
    users = {
        "agent": User.objects.filter(
            unit__code="hq", position__code="hotline_agent", is_active=True, is_superuser=False
        )
        .order_by("pk")
        .first(),
        "outlet": User.objects.get(username="bench_outlet_head"),
    }
    if users["agent"] is None:
        return [Result("search", "One-box search", status="not available: no HQ hotline agent")]
    results: list[Result] = []
    with ctx.db.raw() as raw:
        for key, title, query, main, who in _cases(total):
            user = users[who]
            ctx.log(f"  {key}: {query!r}")

            def call(user: Any = user, query: str = query) -> object:
                return one_box_search(_fresh(user), query)

            found = one_box_search(_fresh(user), query)
            result = orm_vs_raw(ctx, raw, key=key, title=title, call=call, main=main)
            role = "an HQ hotline agent" if who == "agent" else "an outlet head"
            result.notes.append(
                f"query {query!r} as {role}: {len(found)} hit(s), matched by "
                f"{sorted({str(hit.matched_by) for hit in found}) or '—'}"
            )
            result.extra.update(query=query, hits=len(found), user=who, target_ms=TARGET_MS)
            if not found and who == "agent":
                result.findings.append(f"{key}: {query!r} found nothing; the case is broken")
            if (
                raw.vendor == "postgresql"
                and result.ours is not None
                and result.ours.p95_ms > TARGET_MS
            ):
                result.findings.append(
                    f"{key}: p95 {result.ours.p95_ms:.1f} ms over the {TARGET_MS:.0f} ms target "
                    f"at {total:,} customers"
                )
            results.append(result)
    return results

"""e. Import: a customers CSV exported by an old system (customer number, name, phone, e-mail;
Chinese and Russian names, phones typed in local and international forms) checked and loaded
through the same service functions the import pages and their background jobs call
(`import_job_create` → `import_job_check` → `import_job_load`, all-or-nothing, one
transaction), then loaded a second time (every row an update: natural keys, no duplicates).

Rows: IMPORT_ROWS per scale (1,000,000 at full; BENCH_IMPORT_ROWS overrides). Target: a million
customers loaded in under 120 s on PostgreSQL.

Physical limit: the same customer, phone and e-mail rows, already parsed, written by the bare
driver with nothing else (PostgreSQL COPY / SQLite executemany) in a transaction rolled back.
The workload removes what it loaded afterwards (its customers are in an outlet of their own
numbering range, IMP…)."""

from __future__ import annotations

import csv
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.measure import Timing
from bench.workloads import Context, Result, workload

IMPORT_ROWS = {"small": 50_000, "medium": 200_000, "full": 1_000_000}
TARGET_SECONDS_PER_MILLION = 120.0
OUTLET = "r01-c01-o01"

_SURNAMES_ZH = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN_ZH = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志文玲红春"
_SURNAMES_RU = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов"]
_GIVEN_RU = ["Иван", "Сергей", "Алексей", "Андрей", "Дмитрий", "Михаил", "Николай"]
_PATRONYMICS = ["Иванович", "Петрович", "Сергеевич", "Андреевич", "Николаевич"]
_COMPANIES_ZH = ["有限公司", "贸易有限公司", "科技有限公司", "电器服务中心"]


def rows_for(ctx: Context) -> int:
    override = os.environ.get("BENCH_IMPORT_ROWS")
    return int(override) if override else IMPORT_ROWS.get(ctx.scale.name, 50_000)


def customer_rows(count: int, seed: int = 2026) -> Iterator[tuple[str, str, str, str, str]]:
    """(code, name, phone as typed, phone in E.164, e-mail): 70% Chinese, 30% Russian."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        code = f"IMP{number:07d}"
        if rng.random() < 0.7:
            name = rng.choice(_SURNAMES_ZH) + "".join(rng.choices(_GIVEN_ZH, k=rng.randint(1, 2)))
            if rng.random() < 0.1:
                name = f"{name}{rng.choice(_COMPANIES_ZH)}"
            subscriber = f"{number:08d}"
            e164 = f"+86138{subscriber}"
            form = rng.random()
            if form < 0.5:
                typed = f"138{subscriber}"
            elif form < 0.8:
                typed = f"+86 138 {subscriber[:4]} {subscriber[4:]}"
            else:
                typed = f"138-{subscriber[:4]}-{subscriber[4:]}"
        else:
            name = f"{rng.choice(_SURNAMES_RU)} {rng.choice(_GIVEN_RU)} {rng.choice(_PATRONYMICS)}"
            subscriber = f"{number:07d}"
            e164 = f"+7912{subscriber}"
            typed = (
                f"+7 912 {subscriber[:3]}-{subscriber[3:5]}-{subscriber[5:]}"
                if rng.random() < 0.5
                else f"8 (912) {subscriber[:3]}-{subscriber[3:5]}-{subscriber[5:]}"
            )
        yield code, name, typed, e164, f"c{number}@example.com"


def write_csv(path: Path, count: int) -> int:
    """The file as the old system exports it (UTF-8 with BOM, as Excel saves "CSV UTF-8")."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["客户编号", "客户名称", "电话", "邮箱"])
        for code, name, typed, _e164, email in customer_rows(count):
            writer.writerow([code, name, typed, email])
    return path.stat().st_size


def _limit(count: int, unit_id: int) -> float:
    """Seconds to write the same rows, already parsed, with the bare driver (rolled back)."""
    from django.db import transaction
    from django.utils import timezone

    from aftersales.customers.models import Customer, Email, Phone
    from aftersales.customers.search_text import customer_search_text
    from aftersales.imports import bulk

    now = timezone.now()
    customers, phones, emails = [], [], []
    ids_start = 10_000_000_000
    for offset, (code, name, _typed, e164, email) in enumerate(customer_rows(count)):
        pk = ids_start + offset
        customers.append(
            (
                pk,
                code,
                "person",
                name,
                "",
                unit_id,
                "",
                True,
                now,
                now,
                customer_search_text(name, code),
            )
        )
        phones.append((pk, e164, "mobile"))
        emails.append((pk, email))
    start = time.perf_counter()
    with transaction.atomic():
        bulk.insert_rows(
            Customer,
            [
                "id",
                "code",
                "kind",
                "name",
                "tax_number",
                "unit_id",
                "notes",
                "is_active",
                "created_at",
                "updated_at",
                "search_text",
            ],
            customers,
        )
        bulk.insert_rows(Phone, ["customer_id", "number", "kind"], phones)
        bulk.insert_rows(Email, ["customer_id", "address"], emails)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def _cleanup(unit_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        mine = "SELECT id FROM customers_customer WHERE unit_id = %s AND code LIKE 'IMP%%'"
        for table in ("customers_phone", "customers_email"):
            cursor.execute(f"DELETE FROM {table} WHERE customer_id IN ({mine})", [unit_id])
        cursor.execute(
            "DELETE FROM customers_customer WHERE unit_id = %s AND code LIKE 'IMP%%'", [unit_id]
        )


def _timing(count: int, seconds: float) -> Timing:
    per_s = count / seconds if seconds > 0 else 0.0
    return Timing(
        n=count, p50_ms=seconds * 1000, p95_ms=seconds * 1000, mean_ms=seconds * 1000, per_s=per_s
    )


@workload("imports", order=50)
def imports(ctx: Context) -> list[Result]:
    """Rows per second of a customers import (check, load, re-load)."""
    from django.core.files import File
    from django.test import override_settings

    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer
    from aftersales.imports.models import ImportJob
    from aftersales.imports.services import import_job_check, import_job_create, import_job_load
    from aftersales.organisation.models import Unit

    count = rows_for(ctx)
    path = ctx.tmp / "customers.csv"
    ctx.log(f"  imports: writing a {count:,}-row CSV")
    size = write_csv(path, count)
    admin = User.objects.get(username="bench_admin")
    unit = Unit.objects.get(code=OUTLET)
    results: list[Result] = []
    extra: dict[str, Any] = {"rows": count, "file_bytes": size}
    _cleanup(unit.pk)
    timings: dict[str, float] = {}
    jobs: list[ImportJob] = []
    with override_settings(MEDIA_ROOT=str(ctx.tmp / "media"), IMPORT_MAX_BYTES=2 * size):
        try:
            for attempt in ("first", "again"):
                with path.open("rb") as handle:
                    job = import_job_create(
                        actor=admin,
                        entity="customers",
                        unit=unit,
                        upload=File(handle, name="customers.csv"),
                    )
                jobs.append(job)
                ctx.log(f"  imports.check ({attempt})")
                start = time.perf_counter()
                import_job_check(job=job)
                timings[f"check.{attempt}"] = time.perf_counter() - start
                assert job.error_rows == 0, job.errors[:5]
                ctx.log(f"  imports.load ({attempt})")
                start = time.perf_counter()
                import_job_load(job=job)
                timings[f"load.{attempt}"] = time.perf_counter() - start
                ctx.log(
                    f"    check {timings[f'check.{attempt}']:.1f} s, "
                    f"load {timings[f'load.{attempt}']:.1f} s"
                )
                job.refresh_from_db()
                extra[f"{attempt}_created"] = job.created_count
                extra[f"{attempt}_updated"] = job.updated_count
                if attempt == "first" and (
                    time.monotonic() + timings["check.first"] + timings["load.first"] > ctx.deadline
                ):
                    break
            loaded = Customer.objects.filter(unit=unit, code__startswith="IMP").count()
            extra["customers_after"] = loaded
        finally:
            _cleanup(unit.pk)
            ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    ctx.log("  imports: physical limit (bare COPY, rolled back)")
    limit_seconds = _limit(count, unit.pk)

    vendor = ctx.db.vendor
    limit = _timing(count, limit_seconds)
    for key, title in (
        ("check.first", "dry run of a new file (parse, match, report)"),
        ("load.first", "load: every row a new customer with a phone and an e-mail"),
        ("check.again", "dry run of the same file again (every row found)"),
        ("load.again", "load the same file again: every row an update, no duplicates"),
    ):
        if key not in timings:
            continue
        seconds = timings[key]
        result = Result(
            f"imports.customers.{key}",
            f"import {count:,} customers: {title}",
            kind="throughput",
            ours=_timing(count, seconds),
            unit="rows/s",
        )
        result.notes.append(f"{seconds:.1f} s for {count:,} rows ({size / 1e6:.0f} MB CSV)")
        if key.startswith("load"):
            result.limit = limit
            result.limit_label = "bare COPY/executemany of the parsed rows, no checks"
            projected = seconds * 1_000_000 / count
            result.notes.append(f"projected for 1M rows: {projected:.0f} s")
            if (
                key == "load.first"
                and projected > TARGET_SECONDS_PER_MILLION
                and vendor != "sqlite"
            ):
                result.findings.append(
                    f"import load projects to {projected:.0f} s per million rows "
                    f"(target {TARGET_SECONDS_PER_MILLION:.0f} s)"
                )
        result.extra = dict(extra)
        results.append(result)
    if extra.get("again_created"):
        results[-1].findings.append("re-importing the same file created customers")
    return results

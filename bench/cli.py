"""`bench/run.py`: build (or reuse) the dataset of a scale, run the workloads, write results."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import META_TABLE, ROOT, BenchDatabase, UnsafeDatabase
from bench.scales import SCALES, Scale

_T0 = time.monotonic()


def log(message: str) -> None:
    sys.stderr.write(f"[{time.monotonic() - _T0:6.1f}s] {message}\n")
    sys.stderr.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Aftersales benchmarks (see bench/README.md)."
    )
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="bench database (default: BENCH_DATABASE_URL, else "
        "postgres://postgres@127.0.0.1:5432/aftersales_bench). DATABASE_URL is ignored.",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--load-only", action="store_true", help="build the data, run nothing")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the data already in the database although its fingerprint differs (say, "
        "another app got a migration): migrate it and run, instead of rebuilding",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated workloads to run (scoping,api,auth,...)"
    )
    parser.add_argument("--max-minutes", type=float, default=None, help="soft time budget")
    parser.add_argument("--pg-locale", help="create the PostgreSQL database with this LOCALE")
    parser.add_argument("--pg-icu-locale", help="create it with this ICU locale instead")
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="allow a database whose name lacks 'bench' (it is dropped and refilled!)",
    )
    return parser.parse_args(argv)


def configure_django(db: BenchDatabase) -> None:
    for name in ("DATABASE_URL_FILE", "DEBUG_FILE"):
        os.environ.pop(name, None)
    # Local settings, DEBUG off: Django then keeps no query log, which would skew timings.
    os.environ.update(
        DATABASE_URL=db.url,
        DJANGO_SETTINGS_MODULE="config.settings",
        AFTERSALES_ENV="local",
        DEBUG="0",
        DATABASE_CONN_MAX_AGE="0",
        **bench_job_queue(),
    )
    import django

    django.setup()


def bench_job_queue() -> dict[str, str]:
    """Where jobs a workload enqueues (notification e-mails) go: a queue of the bench's own
    that nothing consumes, never the app's (var/jobs.sqlite3). Redis on loopback when it runs,
    as in production (BENCH_HUEY_URL to choose), else a throwaway SQLite file."""
    url = os.environ.get("BENCH_HUEY_URL", "")
    if not url:
        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
            url = "redis://127.0.0.1:6379/15"
        except OSError:
            path = Path(tempfile.gettempdir()) / "aftersales-bench-jobs.sqlite3"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
    return {"HUEY_URL": url, "HUEY_NAME": "aftersales-bench"}


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "aftersales").glob("*/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(scale: Scale, db: BenchDatabase) -> dict[str, Any]:
    from bench import generators

    return {
        "scale": scale.name,
        "rows": dict(scale.rows),
        "tree": [scale.regions, scale.centres_per_region, scale.outlets_per_centre],
        "generators": generators.versions(),
        "migrations": migrations_digest(),
        "pg_locale": [db.pg_locale, db.pg_icu_locale],
    }


def build(db: BenchDatabase, scale: Scale, wanted: dict[str, Any]) -> dict[str, Any]:
    """Drop, create, migrate, bulk-load; returns what was written and how long it took."""
    from django.contrib.auth.hashers import make_password

    from bench import generators
    from bench.generators.accounts import BENCH_PASSWORD
    from bench.loader import BulkLoader

    started = time.monotonic()
    if db.exists():
        log(f"dropping {db.vendor} database {db.name}")
        db.drop()
    db.create()
    log("migrating (manage.py migrate)")
    db.migrate()
    migrated = time.monotonic()
    loader = BulkLoader(db)
    written: dict[str, int] = {}
    timings: dict[str, float] = {}
    try:
        ctx = generators.GenContext(
            scale=scale,
            loader=loader,
            now=datetime.now(UTC),
            password_hash=make_password(BENCH_PASSWORD),  # one hash, reused for every person
            log=log,
        )
        for gen in generators.ordered():
            t0 = time.monotonic()
            counts = gen.fn(ctx)
            timings[gen.name] = time.monotonic() - t0
            written.update(counts)
            log(f"  generated {gen.name}: {counts} in {timings[gen.name]:.1f}s")
        t0 = time.monotonic()
        loader.finish()
        timings["sequences+analyze"] = time.monotonic() - t0
        load = {
            "reused": False,
            "built_at": ctx.now.isoformat(timespec="seconds"),
            "seconds": time.monotonic() - started,
            "migrate_seconds": migrated - started,
            "generator_seconds": timings,
            "written": written,
        }
        loader.execute(f"CREATE TABLE {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)")
        loader.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s), (%s, %s)",
            ["dataset", json.dumps(wanted), "load", json.dumps(load)],
        )
    finally:
        loader.close()
    return load


def verify(scale: Scale) -> dict[str, int]:
    """The app's view of the data: a valid treebeard tree, the expected counts."""
    from django.apps import apps

    from aftersales.organisation.models import Unit

    problems = Unit.find_problems()
    names = ["bad alphabet", "bad step length", "orphans", "wrong depth", "wrong numchild"]
    bad = {name: ids for name, ids in zip(names, problems, strict=True) if ids}
    if bad:
        raise SystemExit(f"the generated tree is not valid for treebeard: {bad}")
    region = Unit.objects.get(code="r01")
    expected = scale.centres_per_region * (1 + scale.outlets_per_centre)
    if region.get_descendant_count() != expected or Unit.objects.count() != scale.units:
        raise SystemExit("the generated tree does not have the expected shape")
    counts = {}
    for label in (
        "organisation.Unit",
        "accounts.User",
        "accounts.ApiToken",
        "accounts.LoginFailure",
        "calendars.CalendarDay",
        "customers.Customer",
        "installed_base.InstalledProduct",
        "service_requests.ServiceRequest",
    ):
        model = apps.get_model(label)
        counts[model._meta.db_table] = model._base_manager.count()
    return counts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = SCALES[args.scale]
    db = BenchDatabase.from_url(
        args.database_url, pg_locale=args.pg_locale, pg_icu_locale=args.pg_icu_locale
    )
    try:
        db.check_safe(allow_any=args.allow_any_database)
    except UnsafeDatabase as exc:
        log(str(exc))
        return 2
    if db.vendor == "sqlite" and not scale.sqlite_ok:
        log(f"warning: scale {scale.name} on SQLite is not a supported configuration; going on")
    budget_minutes = args.max_minutes or {"small": 9.0, "medium": 30.0}.get(scale.name, 90.0)
    deadline = _T0 + budget_minutes * 60
    load_before = _load_average()
    configure_django(db)

    wanted = fingerprint(scale, db)
    stored = db.stored("dataset")
    reuse = args.reuse_data and stored is not None and stored.get("scale") == scale.name
    if args.rebuild or (stored != wanted and not reuse):
        reason = "--rebuild" if args.rebuild else ("no dataset" if stored is None else "changed")
        log(f"building the {scale.name} dataset ({reason}) in {db.vendor} {db.name}")
        load = build(db, scale, wanted)
    elif stored != wanted:
        log(f"reusing the {scale.name} dataset although it changed (--reuse-data): migrating")
        db.migrate(timeout=3600)
        load = {**(db.stored("load") or {"seconds": 0.0}), "reused": True, "fingerprint": stored}
    else:
        log(f"reusing the {scale.name} dataset in {db.vendor} {db.name} (--rebuild to rebuild)")
        load = {**(db.stored("load") or {"seconds": 0.0}), "reused": True}
    rows = verify(scale)
    log(f"dataset ok: {rows}")
    if args.load_only:
        return 0

    from django import get_version

    from bench import report, workloads

    only = {name.strip() for name in args.only.split(",") if name.strip()}
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aftersales-bench-") as tmp:
        ctx = workloads.Context(scale=scale, db=db, tmp=Path(tmp), log=log, deadline=deadline)
        for item in workloads.ordered():
            if only and item.name not in only:
                continue
            if time.monotonic() > deadline:
                log(f"skipping {item.name}: time budget ({budget_minutes:g} min) spent")
                results.append(_failed(item.name, "skipped: time budget spent"))
                continue
            log(f"workload {item.name}")
            try:
                results += [r.as_dict() for r in item.fn(ctx)]
            except Exception as exc:  # noqa: BLE001 - one broken workload must not hide the rest
                traceback.print_exc()
                results.append(_failed(item.name, f"failed: {type(exc).__name__}: {exc}"))
        prefix = ctx.shared.get("prefix_check")

    findings = merge_findings([f for r in results for f in r.get("findings", [])])
    load_after = _load_average()
    run = {
        "scale": {
            "name": scale.name,
            "description": scale.description,
            "rows": dict(scale.rows),
            "units": scale.units,
        },
        "database": {
            "vendor": db.vendor,
            "name": db.name,
            "server": db.server_version(),
            "collation": db.collation(),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": get_version(),
            "platform": platform.platform(),
            "load_before": load_before,
            "load_after": load_after,
            "busy": max(load_before, load_after) > (os.cpu_count() or 1) * 0.75,
        },
        "rows": rows,
        "load": load,
        "prefix_index": prefix.as_dict() if prefix else None,
        "results": results,
        "findings": findings,
        "partial": bool(only),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_seconds": time.monotonic() - _T0,
    }
    json_path, md_path, table = report.write(run, list(SCALES))
    sys.stdout.write("\n" + table + "\n\n")
    if findings:
        sys.stdout.write("Findings:\n" + "".join(f"  - {f}\n" for f in findings) + "\n")
    sys.stdout.write(f"wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}\n")
    sys.stdout.write(f"total run time {time.monotonic() - _T0:.0f} s\n")
    failed = [r for r in results if r["status"].startswith("failed")]
    return 1 if failed else 0


def merge_findings(findings: list[str]) -> list[str]:
    """One line per distinct finding: "a, b: text" when workloads a and b found the same."""
    merged: dict[str, list[str]] = {}
    for finding in findings:
        key, sep, text = finding.partition(": ")
        if not sep or " " in key:
            key, text = "", finding
        owners = merged.setdefault(text, [])
        if key and key not in owners:
            owners.append(key)
    return [f"{', '.join(keys)}: {text}" if keys else text for text, keys in merged.items()]


def _load_average() -> float:
    """One-minute load average (0 where the platform has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return 0.0


def _failed(name: str, status: str) -> dict[str, Any]:
    from bench.workloads import Result

    return Result(name, name, status=status).as_dict()

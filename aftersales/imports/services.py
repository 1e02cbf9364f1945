"""Importing a spreadsheet: upload → column mapping → dry run (check) → load.

The check parses every row and asks the database what each row's natural key finds, and writes
nothing but the job row. The load runs the same code, then writes each batch of 5,000 rows
with set-based statements (loaders.py, bulk.py): in ALL_OR_NOTHING mode the whole file is one
transaction and any invalid row rolls it back; in PER_ROW mode each batch commits and invalid
rows are skipped and reported. Natural keys make loading the same file again an update.

Small files run inline in the request; big ones (more than INLINE_MAX_ROWS rows or
INLINE_MAX_BYTES bytes) run as background jobs (jobs.py) that update `processed_rows`, which
the progress page polls. The page, the jobs and the benchmark all call these functions."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.imports import workers as workers_module
from aftersales.imports.entities import ENTITIES, Entity, ParsedRow, guess_mapping
from aftersales.imports.loaders import LOADERS
from aftersales.imports.models import ImportJob
from aftersales.imports.readers import ENCODINGS, UnreadableFile, open_table
from aftersales.organisation.models import Unit

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
MAX_STORED_ERRORS = 10_000
PREVIEW_ROWS = 5
# Below this many rows, starting parse workers costs more than it saves.
PARALLEL_MIN_ROWS = 50_000


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 100 * 1024 * 1024))


def inline_limits() -> tuple[int, int]:
    """(rows, bytes) up to which a file is checked and loaded inside the request."""
    return (
        int(getattr(settings, "IMPORT_INLINE_MAX_ROWS", 5000)),
        int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", 2 * 1024 * 1024)),
    )


def importable_entities(user) -> list[Entity]:  # type: ignore[no-untyped-def]
    """What this user may import: the entities whose records they may add and change."""
    return [entity for entity in ENTITIES.values() if user.has_perms(entity.permissions)]


def _human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


# --- Upload and mapping --------------------------------------------------------------------------


def import_job_create(
    *,
    actor,  # type: ignore[no-untyped-def]
    entity: str,
    unit: Unit,
    upload: UploadedFile,
    encoding: str = "",
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
) -> ImportJob:
    """Store the upload after checking it can be read; the mapping is guessed from the header."""
    spec = ENTITIES.get(entity)
    if spec is None or spec not in importable_entities(actor):
        raise ValidationError({"entity": _("You may not import this kind of record.")})
    if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose one of your units.")})
    if encoding and encoding not in ENCODINGS:
        raise ValidationError({"encoding": _("Unknown encoding.")})
    if mode not in ImportJob.Mode.values:
        raise ValidationError({"mode": _("Unknown mode.")})
    if upload.size > max_bytes():
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest file accepted is %(limit)s.")
                % {"size": _human_size(upload.size), "limit": _human_size(max_bytes())}
            }
        )
    try:
        table = open_table(upload, name=upload.name or "", encoding=encoding)
        preview_sample = sum(1 for _ in zip(range(PREVIEW_ROWS), table.rows(), strict=False))
    except UnreadableFile as error:
        raise ValidationError({"file": error.messages}) from error
    if not preview_sample:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    job = ImportJob(
        entity=entity,
        unit=unit,
        original_name=(upload.name or "import")[:255],
        encoding=table.encoding,
        delimiter=table.delimiter,
        columns=table.header,
        mapping=guess_mapping(spec, table.header),
        mode=mode,
        file_size=upload.size,
        total_rows=_estimate_rows(upload, table),
        created_by=actor,
    )
    with transaction.atomic():
        upload.seek(0)
        job.file.save(job.original_name, upload, save=False)
        job.save()
    return job


def _estimate_rows(upload: UploadedFile, table) -> int:  # type: ignore[no-untyped-def]
    """Exact for files that run inline (they are small); from the file size for big ones."""
    _rows, inline_bytes = inline_limits()
    if upload.size <= inline_bytes:
        return sum(1 for _ in table.rows())
    upload.seek(0)
    sample = upload.read(1024 * 1024)
    lines = max(sample.count(b"\n"), 1)
    return int(upload.size / (len(sample) / lines))


def preview(job: ImportJob, count: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
    """The first rows of the file, for the mapping page."""
    rows: list[tuple[int, list[str]]] = []
    with job.file.open("rb") as source:
        table = open_table(source, name=job.original_name, encoding=job.encoding)
        for number, cells in table.rows():
            rows.append((number, [cell.strip() for cell in cells]))
            if len(rows) >= count:
                break
    return rows


def import_job_map(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Save which column feeds which field (unmapped columns are ignored)."""
    if job.is_running or job.status == ImportJob.Status.DONE:
        raise ValidationError(_("This import can no longer be changed."))
    spec = ENTITIES[job.entity]
    cleaned = {
        str(index): name
        for index, name in mapping.items()
        if name and name in spec.field_names and 0 <= int(index) < len(job.columns)
    }
    errors = []
    chosen = list(cleaned.values())
    for name in sorted({name for name in chosen if chosen.count(name) > 1}):
        errors.append(
            _("“%(field)s” is chosen for more than one column.") % {"field": spec.field(name).label}
        )
    for item in spec.fields:
        if item.required and item.name not in chosen:
            errors.append(
                _("Choose the column for “%(field)s”: it is required.") % {"field": item.label}
            )
    if errors:
        raise ValidationError(errors)
    job.mapping = cleaned
    job.status = ImportJob.Status.UPLOADED
    job.save(update_fields=["mapping", "status"])
    return job


# --- Running -------------------------------------------------------------------------------------


class _Invalid(Exception):
    """An invalid row in all-or-nothing mode: roll the whole load back."""


@dataclass
class Outcome:
    processed: int = 0
    created: int = 0
    updated: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


class _Progress:
    """Writes processed_rows where the progress page can see it. Inside the one transaction of
    an all-or-nothing load that takes a second connection (PostgreSQL); SQLite has one writer,
    so there the count appears when the load commits."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.side = None
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self.side = connections.create_connection("default")

    def update(self, processed: int) -> None:
        statement = 'UPDATE "imports_importjob" SET "processed_rows" = %s WHERE "id" = %s'
        if self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(statement, [processed, self.job.pk])
        elif not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=processed)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _batches(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list]:
    batch: list[tuple[int, list[str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_workers(*, write: bool) -> int:
    """Processes that parse rows beside this one (0: parse in-process). A check only reads,
    so it takes every core; a load leaves one to this process and the database it feeds."""
    cores = os.cpu_count() or 1
    default = max(1, cores - 1) if write else cores
    return int(getattr(settings, "IMPORT_PARSE_WORKERS", default))


def _parsed_batches(
    job: ImportJob,
    mapping: dict[int, str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    write: bool,
) -> Iterator[list[ParsedRow]]:
    """Batches of parsed rows, in file order. Parsing (phone numbers above all) is most of the
    CPU a load costs; for big files it runs in worker processes while this one matches and
    writes the previous batches and the database ingests them."""
    workers = parse_workers(write=write)
    if not workers or job.total_rows < PARALLEL_MIN_ROWS:
        for batch in _batches(rows, BATCH_SIZE):
            yield workers_module.parse_batch(job.entity, mapping, batch)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=workers_module.start) as pool:
        pending: deque = deque()
        for batch in _batches(rows, BATCH_SIZE):
            pending.append(pool.submit(workers_module.parse_batch, job.entity, mapping, batch))
            if len(pending) > workers + 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _run(job: ImportJob, *, write: bool, source: IO[bytes]) -> Outcome:
    loader = LOADERS[job.entity](unit=job.unit, user=job.created_by)
    mapping = {int(index): name for index, name in job.mapping.items() if name}
    column_of = {
        name: job.columns[index] if index < len(job.columns) else ""
        for index, name in mapping.items()
    }
    outcome = Outcome()
    seen: dict[Any, int] = {}
    progress = _Progress(job)
    try:
        table = open_table(source, name=job.original_name, encoding=job.encoding)
        for rows in _parsed_batches(job, mapping, table.rows(), write=write):
            clean = [row for row in rows if not row.errors]
            loader.resolve(clean)
            for row in clean:
                if row.errors:
                    continue
                first = seen.setdefault(row.key, row.number)
                if first != row.number:
                    row.errors.append(("", "duplicate_in_file", {"row": first}))
            good = [row for row in rows if not row.errors]
            _record_errors(outcome, [row for row in rows if row.errors], column_of)
            created = sum(1 for row in good if row.existing is None)
            if write:
                if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                    if len(good) < len(rows):
                        raise _Invalid
                    loader.write(good)
                else:
                    with transaction.atomic():
                        loader.write(good)
            outcome.created += created
            outcome.updated += len(good) - created
            outcome.processed += len(rows)
            progress.update(outcome.processed)
    finally:
        progress.close()
    return outcome


def _record_errors(outcome: Outcome, rows: list[ParsedRow], column_of: dict[str, str]) -> None:
    outcome.error_rows += len(rows)
    for row in rows:
        for name, code, params in row.errors:
            if len(outcome.errors) >= MAX_STORED_ERRORS:
                return
            outcome.errors.append(
                {
                    "row": row.number,
                    "field": name,
                    "column": column_of.get(name, ""),
                    "code": code,
                    "params": params,
                }
            )


def import_job_fail(job: ImportJob, error: Exception) -> None:
    language = getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if isinstance(error, ValidationError):
            message = " ".join(error.messages)
        else:
            message = str(_("The import stopped on an unexpected error: %(error)s")) % {
                "error": f"{type(error).__name__}: {error}"[:500]
            }
    job.status = ImportJob.Status.FAILED
    job.failure = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "failure", "finished_at"])


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: every row parsed and matched, nothing written but this job's report."""
    if job.status not in {
        ImportJob.Status.UPLOADED,
        ImportJob.Status.CHECKED,
        ImportJob.Status.FAILED,
        ImportJob.Status.CHECKING,
    }:
        raise ValidationError(_("This import has been loaded already."))
    job.status = ImportJob.Status.CHECKING
    job.processed_rows = 0
    job.failure = ""
    job.save(update_fields=["status", "processed_rows", "failure"])
    try:
        with job.file.open("rb") as source:
            outcome = _run(job, write=False, source=source)
    except (UnreadableFile, DatabaseError, OSError) as error:
        logger.exception("Import %s: check failed", job.pk)
        import_job_fail(job, error)
        return job
    job.status = ImportJob.Status.CHECKED
    job.total_rows = outcome.processed
    job.processed_rows = outcome.processed
    job.error_rows = outcome.error_rows
    job.to_create = outcome.created
    job.to_update = outcome.updated
    job.errors = outcome.errors
    job.checked_at = timezone.now()
    job.save()
    return job


def import_job_load(*, job: ImportJob) -> ImportJob:
    """Write the file. All-or-nothing: one transaction, refused if any row is invalid.
    Row by row: valid rows load batch by batch, invalid ones are skipped and reported."""
    if job.status not in {ImportJob.Status.CHECKED, ImportJob.Status.LOADING}:
        raise ValidationError(_("Check the file before loading it."))
    if job.mode == ImportJob.Mode.ALL_OR_NOTHING and job.error_rows:
        raise ValidationError(
            _("Nothing can be loaded while rows have errors: fix the file or load row by row.")
        )
    job.status = ImportJob.Status.LOADING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    try:
        with job.file.open("rb") as source:
            if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                with transaction.atomic():
                    outcome = _run(job, write=True, source=source)
            else:
                outcome = _run(job, write=True, source=source)
    except _Invalid:
        # The data changed since the check (e.g. a customer was removed): report it again.
        job.status = ImportJob.Status.UPLOADED
        job.save(update_fields=["status"])
        return import_job_check(job=job)
    except (UnreadableFile, DatabaseError, OSError) as error:
        logger.exception("Import %s: load failed", job.pk)
        import_job_fail(job, error)
        return job
    job.status = ImportJob.Status.DONE
    job.total_rows = outcome.processed
    job.processed_rows = outcome.processed
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.skipped_count = outcome.error_rows
    job.error_rows = outcome.error_rows
    job.errors = outcome.errors
    job.finished_at = timezone.now()
    job.save()
    return job


def runs_in_background(job: ImportJob) -> bool:
    rows, size = inline_limits()
    return job.file_size > size or job.total_rows > rows


def import_job_start(*, job: ImportJob, action: str) -> ImportJob:
    """Check or load now (small files) or in a background job (big ones)."""
    from aftersales.imports import jobs

    if action == "load" and not job.can_load:
        raise ValidationError(
            _("Nothing can be loaded while rows have errors: fix the file or load row by row.")
            if job.status == ImportJob.Status.CHECKED
            else _("Check the file before loading it.")
        )
    if action == "check" and (job.is_running or job.status == ImportJob.Status.DONE):
        raise ValidationError(_("This import has been loaded already."))
    if not runs_in_background(job):
        return import_job_check(job=job) if action == "check" else import_job_load(job=job)
    job.status = ImportJob.Status.CHECKING if action == "check" else ImportJob.Status.LOADING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    task = jobs.check_import if action == "check" else jobs.load_import
    task.enqueue(job.pk)
    return job

"""Background jobs of imports (django.tasks; Huey runs them). Big files are checked and loaded
here instead of in the request; the job row's processed_rows is the progress the page polls."""

import logging

from django.tasks import task

from aftersales.imports import services
from aftersales.imports.models import ImportJob

logger = logging.getLogger(__name__)


def _job(job_id: int) -> ImportJob | None:
    job = ImportJob.objects.select_related("unit", "created_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("Import %s no longer exists.", job_id)
    return job


@task
def check_import(job_id: int) -> None:
    """The dry run of an uploaded file."""
    job = _job(job_id)
    if job is None:
        return
    try:
        services.import_job_check(job=job)
    except Exception as error:  # noqa: BLE001 - the job row must not stay "checking" forever
        logger.exception("Import %s: check crashed", job_id)
        services.import_job_fail(job, error)


@task
def load_import(job_id: int) -> None:
    """The load of a checked file."""
    job = _job(job_id)
    if job is None:
        return
    try:
        services.import_job_load(job=job)
    except Exception as error:  # noqa: BLE001 - the job row must not stay "loading" forever
        logger.exception("Import %s: load crashed", job_id)
        services.import_job_fail(job, error)

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import scoped_factory
from aftersales.imports.models import ImportJob
from aftersales.imports.services import import_job_create
from aftersales.organisation.models import Unit

SAMPLE = "客户编号,名称,电话\nA-1,张伟,13800138000\nA-2,Иванов Иван,+7 912 345-67-89\n"


def upload(content: str | bytes, name: str = "customers.csv", encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def make_job(unit: Unit, content: str | bytes = SAMPLE, user=None, **fields) -> ImportJob:  # type: ignore[no-untyped-def]
    """An uploaded (not yet checked) import into `unit`, by an administrator of that unit."""
    fields.setdefault("entity", "customers")
    return import_job_create(
        actor=user or make_user("administrator", unit),
        unit=unit,
        upload=upload(content, fields.pop("name", "customers.csv")),
        **fields,
    )


@scoped_factory(ImportJob)
def import_in(unit: Unit) -> ImportJob:
    return make_job(unit)

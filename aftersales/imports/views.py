"""Import pages: list → new import (upload) → column mapping → check report → load → result.

Every page reads jobs through ImportJob.objects.visible_to(user): another outlet's import is
404. Small files are checked and loaded inside the request; big ones run in the background and
the page polls their progress every second (HTMX) until they finish."""

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from aftersales.core.export import BOM, neutralise
from aftersales.core.views import ObjectDetailView, ObjectListView, PositionPermissionMixin
from aftersales.imports import services
from aftersales.imports.entities import ENTITIES, render_message
from aftersales.imports.forms import ImportUploadForm, MappingForm
from aftersales.imports.models import ImportJob
from aftersales.imports.uploads import SizeLimitUploadHandler

VIEW = "imports.view_importjob"
ADD = "imports.add_importjob"
# Errors listed on the page; all stored ones are in the CSV download.
ERRORS_ON_PAGE = 200


def _detail_url(job: ImportJob) -> str:
    return reverse("imports:import_detail", args=[job.pk])


def _errors(job: ImportJob, limit: int | None = None) -> list[dict[str, Any]]:
    """The stored errors with their messages in the reader's language."""
    spec = ENTITIES.get(job.entity)
    labels = {field.name: field.label for field in spec.fields} if spec else {}
    rows = job.errors if limit is None else job.errors[:limit]
    return [
        {
            "row": error["row"],
            "column": error.get("column") or labels.get(error.get("field", ""), ""),
            "field": labels.get(error.get("field", ""), ""),
            "message": render_message(error["code"], error.get("params")),
        }
        for error in rows
    ]


class ImportListView(ObjectListView):
    model = ImportJob
    permission_required = VIEW
    template_name = "imports/import_list.html"
    sortable = {"created": "created_at", "file": "original_name", "status": "status"}
    default_sort = "-created"
    columns = [
        ("file", gettext_lazy("File")),
        ("", gettext_lazy("What")),
        ("", gettext_lazy("Unit")),
        ("status", gettext_lazy("Status")),
        ("", gettext_lazy("Rows")),
        ("", gettext_lazy("Created / updated / skipped")),
        ("created", gettext_lazy("Uploaded")),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("unit", "created_by").defer("errors")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entity_labels"] = {name: spec.label for name, spec in ENTITIES.items()}
        return context


@method_decorator(csrf_exempt, name="dispatch")
class ImportCreateView(PositionPermissionMixin, generic.FormView):
    """Upload: what, into which unit, the file, its encoding and the mode."""

    permission_required = ADD
    form_class = ImportUploadForm
    template_name = "imports/import_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The size guard must see the body before the CSRF check parses it (Django's pattern
        # for custom upload handlers), so CSRF is enforced here instead of by the decorator.
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entities"] = services.importable_entities(self.request.user)
        context["max_megabytes"] = services.max_bytes() // (1024 * 1024)
        return context

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        if getattr(self.request, "import_upload_too_big", False):
            form.errors.pop("file", None)
            form.add_error(
                "file",
                _("The file is larger than %(limit)s MB, the largest file accepted.")
                % {"limit": max(1, services.max_bytes() // (1024 * 1024))},
            )
        return super().form_invalid(form)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        try:
            job = services.import_job_create(
                actor=self.request.user,
                entity=data["entity"],
                unit=data["unit"],
                upload=data["file"],
                encoding=data["encoding"],
                mode=data["mode"],
            )
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
            return self.form_invalid(form)
        return redirect("imports:import_mapping", pk=job.pk)


class ImportMappingView(ObjectDetailView):
    """Which column feeds which field, with the first rows of the file; saving runs the check."""

    model = ImportJob
    permission_required = ADD
    template_name = "imports/import_mapping.html"

    def get_form(self) -> MappingForm:
        data = self.request.POST if self.request.method == "POST" else None
        return MappingForm(data, job=self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.object
        form = kwargs.get("form") or self.get_form()
        preview = services.preview(job)
        context.update(
            {
                "form": form,
                "spec": ENTITIES[job.entity],
                "columns": [
                    (
                        form[f"column_{index}"],
                        [cells[index] if index < len(cells) else "" for _number, cells in preview],
                    )
                    for index in range(len(job.columns))
                ],
                "preview_rows": preview,
                "editable": not job.is_running and job.status != ImportJob.Status.DONE,
            }
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = job = self.get_object()
        form = self.get_form()
        if form.is_valid():
            try:
                services.import_job_map(job=job, mapping=form.mapping())
                services.import_job_start(job=job, action="check")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return redirect(_detail_url(job))
        return self.render_to_response(self.get_context_data(form=form), status=200)


class ImportDetailView(ObjectDetailView):
    """The check report (counts, row errors, the Load button), progress while a job runs, and
    the result of the load."""

    model = ImportJob
    permission_required = VIEW
    template_name = "imports/import_detail.html"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("unit", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.object
        context.update(
            {
                "job": job,
                "spec": ENTITIES.get(job.entity),
                "errors": _errors(job, ERRORS_ON_PAGE),
                "more_errors": max(0, len(job.errors) - ERRORS_ON_PAGE),
                "can_add": self.request.user.has_perm(ADD),
                "percent": _percent(job),
            }
        )
        return context


def _percent(job: ImportJob) -> int:
    if not job.total_rows:
        return 0
    return min(100, round(job.processed_rows * 100 / job.total_rows))


class ImportProgressView(ImportDetailView):
    """The progress fragment the detail page polls; once the job is over, the page reloads."""

    template_name = "imports/import_detail.html#progress"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if not self.object.is_running and getattr(request, "htmx", False):
            response["HX-Refresh"] = "true"
        return response


class ImportLoadView(ImportDetailView):
    """POST loads the checked file (inline or as a background job); GET shows the report."""

    permission_required = ADD

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        try:
            services.import_job_start(job=job, action="load")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if job.status == ImportJob.Status.DONE:
                messages.success(
                    request,
                    _("Loaded: %(created)s created, %(updated)s updated, %(skipped)s skipped.")
                    % {
                        "created": job.created_count,
                        "updated": job.updated_count,
                        "skipped": job.skipped_count,
                    },
                )
        return redirect(_detail_url(job))


class ImportErrorsView(ObjectDetailView):
    """The row errors as CSV (row, column, message), for fixing the file in a spreadsheet."""

    model = ImportJob
    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer)
        writer.writerow([_("Row"), _("Column"), _("Field"), _("Message")])
        for error in _errors(job):
            writer.writerow(
                [
                    error["row"],
                    neutralise(error["column"]),
                    error["field"],
                    neutralise(error["message"]),
                ]
            )
        name = f"{job.original_name.rsplit('.', 1)[0]}-errors.csv"
        return HttpResponse(
            buffer.getvalue().encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition_header(True, name)},
        )


class ImportTemplateView(PositionPermissionMixin, generic.View):
    """An empty CSV with the header row of an entity, in the user's language (?entity=…)."""

    permission_required = ADD

    def get(self, request: HttpRequest) -> HttpResponse:
        allowed = {spec.name: spec for spec in services.importable_entities(request.user)}
        spec = allowed.get(request.GET.get("entity", ""))
        if spec is None:
            spec = next(iter(allowed.values()), None)
        if spec is None:
            return HttpResponse(status=404)
        buffer = io.StringIO()
        buffer.write(BOM)
        csv.writer(buffer).writerow([str(field.label) for field in spec.fields])
        return HttpResponse(
            buffer.getvalue().encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition_header(True, f"{spec.name}.csv")},
        )

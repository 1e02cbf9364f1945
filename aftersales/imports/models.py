"""An import of a spreadsheet: the uploaded file, how its columns map to fields, the dry run's
row-by-row report, and the load's progress and outcome. The job row is also the audit record
of who loaded what, when (bulk loads do not write a history row per imported record)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.scoping import ScopedQuerySet


def entity_choices() -> list[tuple[str, str]]:
    """What can be imported (imports/entities.py), read when the field is used, not at import."""
    from aftersales.imports.entities import ENTITIES

    return [(name, entity.label) for name, entity in ENTITIES.items()]


def encoding_choices() -> list[tuple[str, object]]:
    """Encodings a file may be read in: the ones a user may choose and the ones detection may
    report besides ("" for workbooks, which carry their own)."""
    from aftersales.imports.readers import ENCODINGS

    detected_only = [("utf-8-sig", ENCODINGS["utf-8"]), ("utf-16", "Unicode (UTF-16)")]
    return [("", "—"), *ENCODINGS.items(), *detected_only]


class ImportJobQuerySet(ScopedQuerySet):
    scope_field = "unit"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        LOADING = "loading", _("Loading")
        DONE = "done", _("Loaded")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing: load only if every row is valid")
        PER_ROW = "row", _("Row by row: load the valid rows, skip the others")

    entity = models.CharField(_("what to import"), max_length=30, choices=entity_choices)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Imported customers are served by this unit."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True, choices=encoding_choices)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    # The file's header row, as read at upload: the mapping page lists these.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    # {"column index": "field name"}; unmapped columns are ignored.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    mode = models.CharField(
        _("mode"), max_length=3, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    # An estimate from the file size until the check has counted them.
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    # What the dry run found: rows that would create or update a record.
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    # [{"row": 7, "field": "phone", "column": "电话", "code": "invalid_phone", "params": {…}}];
    # messages are rendered when shown, in the reader's language (entities.MESSAGES). The
    # first MAX_STORED_ERRORS only (services).
    errors = models.JSONField(_("errors"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.LOADING}

    @property
    def can_load(self) -> bool:
        """Checked, and in all-or-nothing mode without a single invalid row."""
        return (
            self.status == self.Status.CHECKED
            and (self.mode == self.Mode.PER_ROW or self.error_rows == 0)
            and (self.to_create + self.to_update) > 0
        )

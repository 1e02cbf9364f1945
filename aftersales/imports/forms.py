from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFormMixin
from aftersales.imports.entities import ENTITIES
from aftersales.imports.models import ImportJob
from aftersales.imports.readers import ENCODINGS
from aftersales.imports.services import importable_entities
from aftersales.organisation.models import Unit

IGNORE = ""


class ImportUploadForm(StyledFormMixin, forms.Form):
    entity = forms.ChoiceField(label=_("What to import"))
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        help_text=_("Imported customers are served by this unit."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (comma, semicolon or tab separated) or Excel .xlsx; the first row names "
            "the columns."
        ),
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV)"),
        required=False,
        choices=[("", _("Detect automatically"))] + list(ENCODINGS.items()),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(e.name, e.label) for e in importable_entities(user)]
        self.fields["unit"].queryset = Unit.objects.visible_to(user).order_by("path")
        if user.unit_id:
            self.fields["unit"].initial = user.unit_id


class MappingForm(StyledFormMixin, forms.Form):
    """One choice per column of the file: the field it feeds, or ignore."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = ENTITIES[job.entity]
        choices = [(IGNORE, _("— ignore —"))] + [
            (field.name, f"{field.label}{' *' if field.required else ''}") for field in spec.fields
        ]
        for index, heading in enumerate(job.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=heading or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), IGNORE),
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("column_"): value
            for name, value in self.cleaned_data.items()
            if value
        }

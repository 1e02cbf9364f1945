import django_filters
from django import forms


def style_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget Bootstrap's class, and mark invalid ones for assistive technology."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        # _errors, not errors: reading .errors would validate the form before it is ready.
        if form._errors and name in form._errors:
            widget.attrs["class"] += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
    return form


class StyledFormMixin:
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        style_widgets(self)  # type: ignore[arg-type]


class StyledFilterFormMixin:
    """For django-filter FilterSets: style the generated form."""

    @property
    def form(self):  # type: ignore[no-untyped-def]
        form = super().form  # type: ignore[misc]
        if not getattr(form, "_styled", False):
            style_widgets(form)
            form._styled = True
        return form


class _RawNullBooleanSelect(forms.NullBooleanSelect):
    """Django's yes / no / unknown select, handing on the value as sent: Django's own turns
    whatever it does not recognise into "unknown", so the field never sees it to refuse it."""

    def value_from_datadict(self, data, files, name):  # type: ignore[no-untyped-def]
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    widget = _RawNullBooleanSelect

    def to_python(self, value):  # type: ignore[no-untyped-def]
        result = super().to_python(value)
        if result is None and value not in (None, "", "unknown"):
            raise forms.ValidationError(
                forms.ChoiceField.default_error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return result


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes / no / either filter that refuses anything else (`?is_active=flase`) instead of
    ignoring it: an ignored filter silently widens the list (the API answers 400)."""

    field_class = StrictNullBooleanField

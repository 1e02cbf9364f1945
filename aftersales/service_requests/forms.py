"""The agent's forms: registering a request from the customer card (with the type's questions
built on the fly) and the small forms of the request page. The forms only collect input;
the services decide what is valid, and their errors come back onto these fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.forms import StyledFormMixin, style_widgets
from aftersales.customers.models import Contact
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit
from aftersales.service_requests import questions, selectors
from aftersales.service_requests.models import (
    Channel,
    Decision,
    FieldKind,
    Priority,
    RequestType,
    RequestTypeField,
    Status,
)
from aftersales.service_requests.services import NewFile

if TYPE_CHECKING:
    from aftersales.customers.models import Customer
    from aftersales.service_requests.models import ServiceRequest

# What an agent registers by hand; the portal, inbound e-mail and the API have their own doors.
AGENT_CHANNELS = [Channel.PHONE, Channel.EMAIL, Channel.FAX, Channel.LETTER, Channel.WALK_IN]
QUESTION_PREFIX = "q_"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files in one input (the call recording and a photo); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def question_name(key: str) -> str:
    return f"{QUESTION_PREFIX}{key}"


def question_field(
    question: RequestTypeField,
    *,
    enforce: bool = False,
    file_field: type[forms.FileField] = forms.FileField,
    file_disabled: bool = False,
) -> forms.Field:
    """A form field for one of a type's questions, with the same widget wherever it is asked:
    the agent's form, the settings' preview and the customer portal.

    Without `enforce` (agent, preview) the field is never `required` and sets no limits:
    whether an answer is needed and valid is the service's call (questions.clean_answers), the
    same on every channel. With `enforce` (portal) the form itself asks for required answers
    and applies the limits, so that a customer sees the error beside the question; the service
    checks again. `question` and `marked_required` (the asterisk) ride along for templates."""
    common = {
        "label": question.label,
        "help_text": question.help_text,
        "required": enforce and question.required,
    }

    def limit(length: int) -> dict[str, int]:
        return {"max_length": length} if enforce else {}

    kind = question.kind
    field: forms.Field
    if kind == FieldKind.FILE:
        disabled = {"widget": forms.ClearableFileInput(attrs={"disabled": True})}
        field = file_field(**(disabled if file_disabled else {}), **common)
    elif kind == FieldKind.LONG_TEXT:
        field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            **limit(questions.TEXT_LIMITS[FieldKind.LONG_TEXT]),
            **common,
        )
    elif kind == FieldKind.NUMBER:
        field = forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "decimal"}), **limit(40), **common
        )
    elif kind == FieldKind.DATE:
        field = forms.CharField(widget=DateInput(), **limit(10), **common)
    elif kind == FieldKind.CHOICE:
        options = [("", "—"), *((choice, choice) for choice in question.choice_list)]
        if enforce:
            field = forms.ChoiceField(choices=options, **common)
        else:
            field = forms.CharField(widget=forms.Select(choices=options), **common)
    else:
        text_limit = questions.TEXT_LIMITS[FieldKind.TEXT]
        field = forms.CharField(
            widget=forms.TextInput(attrs={"maxlength": text_limit}), **limit(text_limit), **common
        )
    field.question = question  # type: ignore[attr-defined]
    field.marked_required = question.required  # type: ignore[attr-defined]
    return field


class RequestRegisterForm(forms.Form):
    """A new request for `customer`. The questions shown are those of the chosen type that the
    answers given so far call for (questions.shown_fields); the page asks again after each
    answer that decides whether another question appears."""

    request_type = forms.ModelChoiceField(
        queryset=RequestType.objects.none(),
        label=_("Request type"),
        error_messages={"required": _("Choose the type of request.")},
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("As the type says")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(channel.value, channel.label) for channel in AGENT_CHANNELS],
        initial=Channel.PHONE,
    )
    external_ref = forms.CharField(
        label=_("Channel reference"),
        max_length=200,
        required=False,
        help_text=_("The call id, the letter's or fax's registration number, the e-mail's id."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), label=_("Contact person"), required=False
    )
    product = forms.ModelChoiceField(
        queryset=InstalledProduct.objects.none(), label=_("Product"), required=False
    )
    files = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Any number of files: the call recording, photos, scans."),
    )

    # The fields laid out by hand on the page in this order; the questions come in between.
    TOP_FIELDS = ("request_type", "priority")
    BOTTOM_FIELDS = (
        "channel",
        "external_ref",
        "subject",
        "description",
        "contact",
        "product",
        "files",
    )

    def __init__(
        self, *args: Any, customer: Customer, user: User, refresh_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        # A change to these asks the server which questions to show (hx-post with `refresh`);
        # file inputs keep their chosen files across those swaps (hx-preserve, by id).
        refresh = {
            "hx-post": refresh_url,
            "hx-trigger": "change",
            "hx-target": "#questions",
            "hx-swap": "outerHTML",
            "hx-vals": '{"refresh": "1"}',
        }
        self.fields["request_type"].widget.attrs.update(refresh)
        self.fields["files"].widget.attrs["hx-preserve"] = "true"
        # Checked by the service together with the answers (all errors at once), yet required.
        self.fields["subject"].marked_required = True  # type: ignore[attr-defined]
        self.fields["request_type"].queryset = RequestType.objects.filter(is_active=True)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer).order_by(
            "-is_primary", "name", "pk"
        )
        self.fields["product"].queryset = (
            InstalledProduct.objects.visible_to(user)
            .filter(customer=customer)
            .select_related("model")
            .order_by("model__code", "serial")
        )
        self.chosen_type = self._chosen_type()
        self.type_questions: list[RequestTypeField] = (
            list(self.chosen_type.fields.all()) if self.chosen_type else []
        )
        self.shown_questions = questions.shown_fields(self.type_questions, self._raw_answers())
        # The questions that decide whether others are shown: a change to their answer asks
        # the server again which questions to show.
        self.controlling = {q.show_if_field_id for q in self.type_questions if q.show_if_field_id}
        for question in self.shown_questions:
            field = question_field(question)
            if question.pk in self.controlling:
                field.widget.attrs.update(refresh)
            if question.kind == FieldKind.FILE:
                field.widget.attrs["hx-preserve"] = "true"
            self.fields[question_name(question.key)] = field
        style_widgets(self)

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:  # an unbound form "cleans" on every read of its errors
            style_widgets(self)

    def _value(self, name: str) -> Any:
        source = self.data if self.is_bound else self.initial
        return source.get(name)

    def _chosen_type(self) -> RequestType | None:
        value = self._value("request_type")
        if isinstance(value, RequestType):
            return value
        if not str(value or "").isdigit():
            return None
        return self.fields["request_type"].queryset.filter(pk=int(value)).first()

    def _raw_answers(self) -> dict[str, Any]:
        return {q.key: self._value(question_name(q.key)) for q in self.type_questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[question_name(q.key)] for q in self.shown_questions]

    def top_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.TOP_FIELDS]

    def bottom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BOTTOM_FIELDS]

    def error_field(self, key: str) -> str | None:
        """The form field a service error keyed `key` belongs on (None: the whole form)."""
        if any(q.key == key for q in self.shown_questions):
            return question_name(key)
        return key if key in self.fields else None

    def answers(self) -> dict[str, Any]:
        return {
            q.key: self.cleaned_data.get(question_name(q.key))
            for q in self.shown_questions
            if q.kind != FieldKind.FILE
        }

    def new_files(self) -> list[NewFile]:
        files = [NewFile(name=f.name, content=f) for f in self.cleaned_data.get("files") or []]
        for q in self.shown_questions:
            upload = (
                self.cleaned_data.get(question_name(q.key)) if q.kind == FieldKind.FILE else None
            )
            if upload:
                files.append(NewFile(name=upload.name, content=upload, field_key=q.key))
        return files


# --- The request page's forms ------------------------------------------------------------------


class RequestPageForm(StyledFormMixin, forms.Form):
    """A form of the request page: each gets the request, the user and the statuses the
    request's type allows from here (read once for the page)."""

    def __init__(
        self,
        *args: Any,
        service_request: ServiceRequest,
        user: User,
        allowed: list[str],
        **kwargs: Any,
    ) -> None:
        self.service_request = service_request
        self.user = user
        self.allowed = allowed
        # Several of these forms share a page (and field names such as "reason"): own ids.
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        if self.is_bound:
            super().full_clean()
        else:  # an unbound form "cleans" on every read of its errors: no restyling each time
            forms.Form.full_clean(self)


class StatusForm(RequestPageForm):
    """Move the request on: one button per status the type allows from here."""

    # Any status is accepted here: the service says clearly when the type does not allow it.
    status = forms.ChoiceField(choices=Status.choices, label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Required when the request is cancelled."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.service_request.status
        # Done needs the decision form; closed → in work is a reopening (its own form).
        self.targets = [
            Status(status)
            for status in self.allowed
            if status != Status.DONE and not (current == Status.CLOSED and status == Status.IN_WORK)
        ]


class DecideForm(RequestPageForm):
    decision = forms.ModelChoiceField(
        queryset=Decision.objects.none(),
        label=_("Decision"),
        error_messages={"required": _("Choose a decision.")},
    )
    result = forms.CharField(
        label=_("Result for the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = Decision.objects.filter(
            Q(request_type__isnull=True) | Q(request_type_id=self.service_request.request_type_id),
            is_active=True,
        ).order_by("order", "name")


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.unit.name}" if obj.unit_id else str(obj)


class EmployeesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.unit.name}" if obj.unit_id else str(obj)


def workers_visible_to(user: User) -> Any:
    """Active employees of the units `user` sees whose position lets them work on requests."""
    app_label, codename = selectors.WORK_PERMISSION
    return (
        User.objects.filter(
            unit__in=Unit.objects.visible_to(user),
            is_active=True,
            position__permissions__content_type__app_label=app_label,
            position__permissions__codename=codename,
        )
        .select_related("unit")
        .order_by("unit__path", "last_name", "first_name", "username")
    )


class AssignForm(RequestPageForm):
    responsible = EmployeeChoiceField(
        queryset=User.objects.none(),
        label=_("Responsible"),
        required=False,
        empty_label=_("Nobody: the handling unit's queue"),
    )
    executors = EmployeesChoiceField(
        queryset=User.objects.none(), label=_("Executors"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Required when the responsible changes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = workers_visible_to(self.user)
        self.fields["responsible"].queryset = people
        self.fields["executors"].queryset = people


class ReopenForm(RequestPageForm):
    reason = forms.CharField(
        label=_("Why is it reopened?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class MessageForm(RequestPageForm):
    """A public message (it goes to the customer) or an internal note, with files."""

    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    internal = forms.BooleanField(required=False, label=_("Internal note"))
    files = MultipleFileField(label=_("Attachments"))

    def new_files(self) -> list[NewFile]:
        return [NewFile(name=f.name, content=f) for f in self.cleaned_data.get("files") or []]

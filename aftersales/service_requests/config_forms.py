"""Forms of the request configuration pages. They only read and shape the input; every rule
(unique keys, earlier questions, mandatory transitions, resolution after response) is checked
by config_services, whose errors the views put back on these forms' fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.forms import StyledFormMixin, style_widgets
from aftersales.customers.selectors import region_choices
from aftersales.organisation.models import Unit
from aftersales.service_requests.forms import question_field
from aftersales.service_requests.models import (
    Decision,
    FieldKind,
    RequestType,
    RequestTypeField,
    RoutingRule,
    SlaPolicy,
    Status,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class ServiceCheckedModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm that leaves the model checks to the service: the service normalises first
    (trimmed keys and names, choice lines) and reports on the fields itself."""

    def _post_clean(self) -> None:
        pass


class RequestTypeForm(ServiceCheckedModelForm):
    class Meta:
        model = RequestType
        fields = [
            "code",
            "name",
            "description",
            "default_priority",
            "skill",
            "reopen_days",
            "is_active",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("Latin letters, digits and hyphens; used by the API and imports."),
            "order": _("Types are offered in this order."),
            "skill": _("Assignment prefers employees with this skill."),
        }


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RequestTypeField) -> str:
        return f"{obj.label} ({obj.key})"


class QuestionForm(ServiceCheckedModelForm):
    show_if_field = QuestionChoiceField(
        queryset=RequestTypeField.objects.none(),
        required=False,
        label=_("Shown when the answer to"),
        empty_label=_("(always shown)"),
        help_text=_("An earlier question of this type; leave empty to always ask this one."),
    )

    class Meta:
        model = RequestTypeField
        fields = [
            "key",
            "label",
            "help_text",
            "kind",
            "choices",
            "required",
            "order",
            "show_if_field",
            "show_if_values",
        ]
        widgets = {
            "choices": forms.Textarea(attrs={"rows": 4}),
            "show_if_values": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "key": _(
                "Latin letters, digits, hyphens and underscores; answers are stored under it."
            ),
            "choices": _("For a choice question: one answer per line."),
            "order": _("Questions are asked in this order."),
            "show_if_values": _("One answer per line; the question is shown for any of them."),
        }

    def __init__(self, *args: Any, request_type: RequestType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = RequestTypeField.objects.filter(request_type=request_type).exclude(
            kind=FieldKind.FILE
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["show_if_field"].queryset = others.order_by("order", "pk")


class TransitionsForm(StyledFormMixin, forms.Form):
    """The from-status × to-status matrix, posted as "from:to" values."""

    allowed = forms.MultipleChoiceField(
        label=_("Allowed transitions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (f"{a}:{b}", f"{Status(a).label} → {Status(b).label}")
            for a in Status.values
            for b in Status.values
            if a != b
        ],
    )

    def allowed_pairs(self) -> list[tuple[str, str]]:
        return [tuple(value.split(":", 1)) for value in self.cleaned_data["allowed"]]  # type: ignore[misc]


class DecisionForm(ServiceCheckedModelForm):
    request_type = forms.ModelChoiceField(
        queryset=RequestType.objects.all(),
        required=False,
        label=_("Request type"),
        empty_label=_("(general: any type)"),
    )

    class Meta:
        model = Decision
        fields = ["request_type", "name", "outcome", "is_active", "order"]
        help_texts = {"order": _("Decisions are offered in this order.")}


class SlaPolicyForm(ServiceCheckedModelForm):
    request_type = forms.ModelChoiceField(
        queryset=RequestType.objects.all(),
        required=False,
        label=_("Request type"),
        empty_label=_("(any type)"),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "request_type",
            "priority",
            "service_level",
            "response_minutes",
            "resolution_minutes",
            "escalation_step_minutes",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", _("(any priority)")), *self._choices("priority")]
        self.fields["service_level"].choices = [
            ("", _("(with or without a contract)")),
            *self._choices("service_level"),
        ]
        for name in ("response_minutes", "resolution_minutes", "escalation_step_minutes"):
            self.fields[name].widget.attrs["min"] = 1

    def _choices(self, name: str) -> list[tuple[Any, Any]]:
        return [(value, label) for value, label in self.fields[name].choices if value != ""]


class EmployeeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.unit.name}" if obj.unit_id else str(obj)


class SkillForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = EmployeeChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Employees"),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Employees of your units who can handle requests needing this skill."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            User.objects.visible_to(user)
            .filter(is_active=True)
            .select_related("unit")
            .order_by("unit__path", "last_name", "first_name", "username")
        )


class RoutingRuleForm(ServiceCheckedModelForm):
    class Meta:
        model = RoutingRule
        fields = ["region", "skill", "handling_unit", "order"]
        help_texts = {
            "region": _("Customers whose address lies in this region (or a region below it)."),
            "skill": _("Only for request types needing this skill; empty: any type."),
            "handling_unit": _("The unit whose employees handle these requests."),
            "order": _("Rules are tried in this order; the first that fits decides."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_choices(user)
        self.fields["handling_unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)
        self.fields["skill"].empty_label = _("(any skill)")


# --- The questions as the agent sees them ----------------------------------------------------


class AnswersPreviewForm(forms.Form):
    """The questions shown for the answers so far, as the agent's form asks them. Nothing is
    validated by the form itself: `answer_errors` (from questions.clean_answers) are shown
    when the administrator asks for a check."""

    prefix = "answer"

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        shown: Sequence[RequestTypeField],
        answer_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(data)
        self.answer_errors = dict(answer_errors or {})
        for question in shown:
            field = question_field(question, file_disabled=True)
            # Only for the asterisk: requiredness is checked by clean_answers.
            field.required = question.required
            self.fields[question.key] = field
        style_widgets(self)

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for key, messages in self.answer_errors.items():
            if key in self.fields:
                self._errors[key] = ErrorList(messages)
            else:
                self._errors.setdefault("__all__", ErrorList()).extend(messages)
        style_widgets(self)


def answers_from(data: Mapping[str, Any], questions: Sequence[RequestTypeField]) -> dict[str, str]:
    """The preview's answers, by question key, from its prefixed inputs."""
    prefix = AnswersPreviewForm.prefix
    return {
        question.key: str(data.get(f"{prefix}-{question.key}", "") or "")
        for question in questions
        if question.kind != FieldKind.FILE
    }

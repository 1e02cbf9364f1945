from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFormMixin, style_widgets
from aftersales.portal import selectors
from aftersales.service_requests.forms import question_field
from aftersales.service_requests.models import FieldKind, RequestTypeField
from aftersales.service_requests.questions import shown_fields

QUESTION_PREFIX = "q_"


def size_error(upload: Any) -> str | None:
    """The message for a file over ATTACHMENT_MAX_BYTES (the same the service gives)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size <= limit:
        return None
    return gettext("“%(name)s” is %(size)s MB; files of up to %(limit)s MB are accepted.") % {
        "name": (upload.name or "")[:100],
        "size": f"{size / 1048576:.1f}",
        "limit": f"{limit / 1048576:.0f}",
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each within the attachment size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        single = super().clean
        cleaned = [single(item, initial) for item in items if item]
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        errors = [message for upload in cleaned if (message := size_error(upload))]
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class LimitedFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and (message := size_error(upload)):
            raise forms.ValidationError(message)
        return upload


# --- Accounts --------------------------------------------------------------------------------


class PasswordPairMixin(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits, not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class SignUpForm(StyledFormMixin, PasswordPairMixin):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    field_order = ["name", "email", "phone", "password", "password_again", "language"]


class LoginForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EmailForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class SetPasswordForm(StyledFormMixin, PasswordPairMixin):
    pass


# --- Requests --------------------------------------------------------------------------------


class RequestForm(forms.Form):
    """A new request: its type, the type's questions (those shown for the answers so far;
    a change to a question others depend on re-renders them through htmx), subject,
    description and files. Answers are checked again by the service (questions.clean_answers)."""

    request_type = forms.ModelChoiceField(
        label=_("What is your request about?"), queryset=selectors.request_types()
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos, documents, recordings: several files at once are fine."),
    )

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        self.fields["request_type"].queryset = selectors.request_types()
        source = data if data is not None else self.initial
        self.chosen_type = self._chosen_type(source)
        self.questions: list[RequestTypeField] = []
        if self.chosen_type is not None:
            all_questions = list(self.chosen_type.fields.all())
            answers = {q.key: source.get(QUESTION_PREFIX + q.key, "") for q in all_questions}
            controlling = {q.show_if_field_id for q in all_questions if q.show_if_field_id}
            for question in shown_fields(all_questions, answers):
                field = question_field(question, enforce=True, file_field=LimitedFileField)
                if question.pk in controlling:
                    self._rerender_on_change(field)
                field.widget.attrs["data-answer"] = ""
                self.fields[QUESTION_PREFIX + question.key] = field
                self.questions.append(question)
        self._rerender_on_change(self.fields["request_type"])
        self.fields["request_type"].widget.attrs["data-answer"] = ""
        # Styled once every field is in (StyledFormMixin would style before the questions).
        style_widgets(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_widgets(self)

    def _chosen_type(self, source: Any) -> Any:
        raw = source.get("request_type") if source else None
        if not raw or not str(raw).isdigit():
            return None
        return self.fields["request_type"].queryset.filter(pk=int(raw)).first()

    @staticmethod
    def _rerender_on_change(field: forms.Field) -> None:
        # Only the answers go along (not the CSRF token, which must not end up in a URL).
        field.widget.attrs.update(
            {
                "hx-get": reverse("portal:request_questions"),
                "hx-trigger": "change",
                "hx-target": "#questions",
                "hx-swap": "outerHTML",
                "hx-include": "[data-answer]",
            }
        )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[QUESTION_PREFIX + q.key] for q in self.questions]

    def answers(self) -> dict[str, str]:
        return {
            q.key: self.cleaned_data.get(QUESTION_PREFIX + q.key) or ""
            for q in self.questions
            if q.kind != FieldKind.FILE
        }

    def question_files(self) -> list[tuple[str, Any]]:
        return [
            (q.key, self.cleaned_data[QUESTION_PREFIX + q.key])
            for q in self.questions
            if q.kind == FieldKind.FILE and self.cleaned_data.get(QUESTION_PREFIX + q.key)
        ]

    def field_for(self, key: str) -> str | None:
        """The form field a service error key belongs to (a question key, or our own)."""
        if key in self.fields:
            return key
        if QUESTION_PREFIX + key in self.fields:
            return QUESTION_PREFIX + key
        return None


class MessageForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(label=_("Attachments"), required=False)


class DisputeForm(StyledFormMixin, forms.Form):
    claim = forms.CharField(
        label=_("What do you disagree with?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RateForm(StyledFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[
            (5, _("5 — excellent")),
            (4, _("4 — good")),
            (3, _("3 — acceptable")),
            (2, _("2 — poor")),
            (1, _("1 — very poor")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why should the request be reopened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

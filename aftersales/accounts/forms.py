from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts import throttle
from aftersales.accounts.models import PERSON_FIELDS, Position, User
from aftersales.core.forms import StyledFormMixin
from aftersales.organisation.models import Unit


class ThrottledAuthenticationForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed sign-in attempts. Please wait a few minutes and try again."
        ),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request)
        if throttle.is_locked_out(username, address):
            raise ValidationError(self.error_messages["locked_out"], code="locked_out")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.record_success(username)
        return cleaned


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "preferred_language"]


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “ERP exchange”."),
    )


class UserForm(StyledFormMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_(
            "Leave empty to keep the current password (or, for a new user, to set one later)."
        ),
    )

    class Meta:
        model = User
        fields = PERSON_FIELDS

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        visible_units = Unit.objects.visible_to(user)
        self.fields["unit"].queryset = visible_units
        self.fields["unit"].required = True
        self.fields["additional_units"].queryset = visible_units
        self.fields["position"].queryset = Position.objects.all()
        self.fields["position"].required = True
        self.fields["preferred_language"].choices = [("", "—"), *settings.LANGUAGES]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password


class PositionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Position
        fields = ["code", "name", "description", "permissions"]
        widgets = {"permissions": forms.SelectMultiple(attrs={"size": 14})}

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        own_apps = [c.label for c in apps.get_app_configs() if c.name.startswith("aftersales.")]
        self.fields["permissions"].queryset = (
            self.fields["permissions"]
            .queryset.filter(content_type__app_label__in=own_apps)
            .select_related("content_type")
        )
        if self.instance.pk and self.instance.is_system:
            self.fields["code"].disabled = True

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View, generic

from aftersales.accounts import services
from aftersales.accounts.filters import PositionFilter, UserFilter
from aftersales.accounts.forms import (
    ApiTokenForm,
    PositionForm,
    ProfileForm,
    StyledPasswordChangeForm,
    ThrottledAuthenticationForm,
    UserForm,
)
from aftersales.accounts.middleware import LOGIN_TIME_KEY
from aftersales.accounts.models import ApiToken, Position, User
from aftersales.core.history import history_of
from aftersales.core.i18n import remember_language
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        self.request.session[LOGIN_TIME_KEY] = time.time()
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class ProfileView(LoginRequiredMixin, generic.UpdateView):
    """The signed-in user's own page: details, language, API tokens."""

    template_name = "accounts/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):  # type: ignore[no-untyped-def]
        return self.request.user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tokens"] = self.request.user.api_tokens.all()
        context["token_form"] = kwargs.get("token_form") or ApiTokenForm()
        context["new_token"] = self.request.session.pop("new_api_token", None)
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, _("Your profile has been saved."))
        language = form.cleaned_data.get("preferred_language")
        if language:
            remember_language(response, language)
        return response


class ApiTokenCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            view = ProfileView(request=request, kwargs={})
            view.object = request.user
            context = view.get_context_data(
                form=ProfileForm(instance=request.user), token_form=form
            )
            return view.render_to_response(context, status=400)
        _token, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        # Shown once, on the next page view, then gone from the session.
        request.session["new_api_token"] = key
        return redirect("accounts:profile")


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        services.api_token_revoke(token=token)
        messages.success(request, _("The token has been revoked."))
        return redirect("accounts:profile")


class UserListView(ObjectListView):
    model = User
    permission_required = "accounts.view_user"
    filterset_class = UserFilter
    template_name = "accounts/user_list.html"
    sortable = {
        "username": "username",
        "name": "last_name",
        "unit": "unit__path",
        "position": "position__code",
    }
    default_sort = "username"
    columns = [
        ("username", _("Username")),
        ("name", _("Name")),
        ("unit", _("Unit")),
        ("position", _("Position")),
        ("", _("Active")),
    ]
    export_columns = [
        (_("Username"), "username"),
        (_("Last name"), "last_name"),
        (_("First name"), "first_name"),
        (_("E-mail"), "email"),
        (_("Phone"), "phone"),
        (_("Unit"), "unit.name"),
        (_("Unit code"), "unit.code"),
        (_("Position"), "position"),
        (_("Active"), "is_active"),
        (_("Last sign-in"), "last_login"),
    ]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("unit", "position")


class UserDetailView(ObjectDetailView):
    model = User
    permission_required = "accounts.view_user"
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_of(self.object)
        return context


class UserFormMixin:
    model = User
    form_class = UserForm
    template_name = "accounts/user_form.html"
    success_message = _("The user has been saved.")

    form_takes_user = True

    def get_success_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.object.pk])  # type: ignore[attr-defined]


class UserCreateView(UserFormMixin, ObjectCreateView):
    permission_required = "accounts.add_user"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = dict(form.cleaned_data)
        return services.user_create(**data)


class UserUpdateView(UserFormMixin, ObjectUpdateView):
    permission_required = "accounts.change_user"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = dict(form.cleaned_data)
        password = data.pop("password")
        user = services.user_update(user=self.get_object(), **data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class PositionListView(ObjectListView):
    model = Position
    permission_required = "accounts.view_position"
    filterset_class = PositionFilter
    template_name = "accounts/position_list.html"
    sortable = {"code": "code"}
    default_sort = "code"
    columns = [("code", _("Code")), ("", _("Name")), ("", _("People"))]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        from django.db.models import Count

        return super().get_queryset().annotate(user_count=Count("users"))


class PositionDetailView(ObjectDetailView):
    model = Position
    permission_required = "accounts.view_position"
    template_name = "accounts/position_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["permissions"] = self.object.permissions.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        )
        context["history"] = history_of(self.object)
        return context


class PositionFormMixin:
    model = Position
    form_class = PositionForm
    template_name = "accounts/position_form.html"
    success_message = _("The position has been saved.")

    def get_success_url(self) -> str:
        return reverse("accounts:position_detail", args=[self.object.pk])  # type: ignore[attr-defined]

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = dict(form.cleaned_data)
        permissions = data.pop("permissions")
        position = form.instance if form.instance.pk else Position()
        return services.position_save(position=position, permissions=permissions, **data)


class PositionCreateView(PositionFormMixin, ObjectCreateView):
    permission_required = "accounts.add_position"


class PositionUpdateView(PositionFormMixin, ObjectUpdateView):
    permission_required = "accounts.change_position"

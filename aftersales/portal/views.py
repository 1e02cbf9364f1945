"""The customer portal's pages. Not staff pages: no `permission_required`, no `request.user`;
the signed-in portal account (aftersales.portal.auth) decides, and every request and file is
looked up through the account's customer, so another customer's id answers 404.

Views translate HTTP only: the account writes are portal.services, the request writes are
service_requests.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts import throttle
from aftersales.core.files import serve_private_file
from aftersales.core.i18n import remember_language
from aftersales.portal import auth, selectors, services
from aftersales.portal.auth import portal_login_required
from aftersales.portal.forms import (
    DisputeForm,
    EmailForm,
    LoginForm,
    MessageForm,
    RateForm,
    ReopenForm,
    RequestForm,
    SetPasswordForm,
    SignUpForm,
)
from aftersales.portal.models import PortalAccount
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import Channel, RequestMessage, ServiceRequest, Status

REQUESTS_PER_PAGE = 20
# A customer may no longer write on these; a closed request can be reopened instead.
NO_MESSAGES = frozenset({Status.CLOSED, Status.CANCELLED})


def _add_errors(form: Any, error: ValidationError, field_for: Any = None) -> None:
    """A service's ValidationError onto the form: keys the form has become field errors, the
    rest non-field errors."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.message_dict.items():
        field = field_for(key) if field_for else (key if key in form.fields else None)
        form.add_error(field, errors)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(reverse("portal:home")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Anonymous pages -------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if auth.current_account(request) is None:
        return redirect("portal:login")
    return redirect("portal:request_list")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None, initial={"language": translation.get_language() or ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_sign_up(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                language=data["language"],
                phone=data["phone"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            request.session["portal_signed_up"] = services.normalise_email(data["email"])
            return redirect("portal:sign_up_done")
    return render(request, "portal/sign_up.html", {"form": form})


@require_GET
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/sign_up_done.html", {"email": request.session.get("portal_signed_up")}
    )


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    try:
        account = services.account_verify(token=request.GET.get("token", ""))
    except ValidationError as error:
        return render(
            request, "portal/verify_failed.html", {"error": error.messages[0]}, status=400
        )
    messages.success(request, _("Thank you, your e-mail address is confirmed. Please sign in."))
    response = redirect(auth.login_url() + "?" + urlencode({"email": account.email}))
    if account.language:
        remember_language(response, account.language)
    return response


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST)
    if form.is_valid():
        account = PortalAccount.objects.filter(
            email=services.normalise_email(form.cleaned_data["email"])
        ).first()
        if account is not None:
            services.verification_send(account=account)
    # The same answer whatever the address: the page does not tell who has an account.
    messages.info(
        request,
        _("If this address has an account waiting for confirmation, a new link is on its way."),
    )
    return redirect("portal:login")


@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and auth.current_account(request) is not None:
        return redirect(_safe_next(request, reverse("portal:request_list")))
    form = LoginForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    unverified_email = ""
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_authenticate(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                address=throttle.client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            if error.code == "unverified":
                unverified_email = services.normalise_email(form.cleaned_data["email"])
        else:
            auth.log_in(request, account)
            response = redirect(_safe_next(request, reverse("portal:request_list")))
            if account.language:
                remember_language(response, account.language)
            return response
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "unverified_email": unverified_email,
            "next": _safe_next(request, ""),
        },
    )


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    auth.log_out(request)
    return redirect("portal:login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The portal's language switch: the cookie, and the signed-in account's language."""
    language = request.POST.get("language", "")
    response = redirect(_safe_next(request, reverse("portal:home")))
    if language in services.LANGUAGE_CODES:
        translation.activate(language)
        remember_language(response, language)
        account = auth.current_account(request)
        if account is not None:
            services.account_set_language(account=account, language=language)
    return response


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        messages.info(
            request,
            _("If this address has an account, a link to set a new password is on its way."),
        )
        return redirect("portal:login")
    return render(request, "portal/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    try:
        services.account_for_reset(token)
    except ValidationError as error:
        return render(
            request, "portal/verify_failed.html", {"error": error.messages[0]}, status=400
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset(token=token, password=form.cleaned_data["password"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            auth.log_out(request)
            messages.success(request, _("Your new password is set. Please sign in."))
            return redirect("portal:login")
    return render(request, "portal/password_reset_confirm.html", {"form": form})


# --- The customer's requests -----------------------------------------------------------------


@require_GET
@portal_login_required
def request_list(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    page = Paginator(selectors.customer_requests(account.customer), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/request_list.html", {"page": page, "account": account})


@require_http_methods(["GET", "POST"])
@portal_login_required
def request_create(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    if request.method != "POST":
        form = RequestForm(initial=request.GET.dict())
        return render(request, "portal/request_form.html", {"form": form, "account": account})
    form = RequestForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        files = [
            request_services.NewFile(name=upload.name, content=upload, field_key=key)
            for key, upload in form.question_files()
        ] + [request_services.NewFile(name=upload.name, content=upload) for upload in data["files"]]
        try:
            created = request_services.request_register(
                customer=account.customer,
                request_type=data["request_type"],
                channel=Channel.PORTAL,
                subject=data["subject"],
                description=data["description"],
                answers=form.answers(),
                files=files,
                customer_email=account.email,
            )
        except ValidationError as error:
            _add_errors(form, error, form.field_for)
        else:
            messages.success(
                request,
                _("Your request is registered under number %(number)s.")
                % {"number": created.number},
            )
            return redirect("portal:request_detail", pk=created.pk)
    return render(request, "portal/request_form.html", {"form": form, "account": account})


@require_GET
@portal_login_required
def request_questions(request: HttpRequest) -> HttpResponse:
    """The questions of the chosen type for the answers so far (htmx fragment)."""
    form = RequestForm(initial=request.GET.dict())
    return render(request, "portal/request_form.html#questions", {"form": form})


def _detail(
    request: HttpRequest, service_request: ServiceRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "account": request.portal_account,  # type: ignore[attr-defined]
        "object": service_request,
        "thread": selectors.public_thread(service_request),
        "request_files": selectors.request_files(service_request),
        "history": selectors.status_history(service_request),
        "can_write": service_request.status not in NO_MESSAGES,
        "can_reopen": selectors.can_reopen(service_request),
        "is_done": service_request.status == Status.DONE,
        "can_rate": service_request.status in (Status.DONE, Status.CLOSED),
        "message_form": forms.get("message_form") or MessageForm(),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "rate_form": forms.get("rate_form")
        or RateForm(
            initial={"rating": service_request.rating, "comment": service_request.rating_comment}
        ),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }
    return render(request, "portal/request_detail.html", context, status=status)


def _own_request(request: HttpRequest, pk: int) -> ServiceRequest:
    return selectors.request_of(request.portal_account.customer, pk)  # type: ignore[attr-defined]


@require_GET
@portal_login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _own_request(request, pk))


def _step(
    request: HttpRequest,
    pk: int,
    form_class: type,
    form_name: str,
    act: Any,
    done_message: str,
) -> HttpResponse:
    """One customer step on a request: the form, the service, a message and back to the page;
    a refused step shows the page again with the reason next to the form."""
    service_request = _own_request(request, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                act(service_request, form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict") or not set(error.error_dict) & set(form.fields):
                # Not about what was typed (the request is no longer in a state for this
                # step): said at the top of the page, where it is seen whatever is shown.
                messages.error(request, " ".join(error.messages))
                return redirect("portal:request_detail", pk=service_request.pk)
            _add_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect("portal:request_detail", pk=service_request.pk)
    return _detail(request, service_request, status=400, **{form_name: form})


@require_POST
@portal_login_required
def request_message(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]

    def act(service_request: ServiceRequest, data: dict[str, Any]) -> None:
        if service_request.status in NO_MESSAGES:
            raise ValidationError(
                _("This request is closed. Reopen it, or register a new request.")
            )
        request_services.message_post(
            request=service_request,
            body=data["body"],
            author_name=account.name,
            source=RequestMessage.Source.PORTAL,
            files=[
                request_services.NewFile(name=upload.name, content=upload)
                for upload in data["files"]
            ],
        )

    return _step(request, pk, MessageForm, "message_form", act, _("Your message is sent."))


@require_POST
@portal_login_required
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = _own_request(request, pk)
    try:
        request_services.request_confirm(request=service_request, user=None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: the request is closed."))
    return redirect("portal:request_detail", pk=service_request.pk)


@require_POST
@portal_login_required
def request_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    def act(service_request: ServiceRequest, data: dict[str, Any]) -> None:
        request_services.request_dispute(request=service_request, claim=data["claim"], user=None)

    return _step(
        request,
        pk,
        DisputeForm,
        "dispute_form",
        act,
        _("Your objection is recorded; the head of the service unit will review the request."),
    )


@require_POST
@portal_login_required
def request_rate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(service_request: ServiceRequest, data: dict[str, Any]) -> None:
        request_services.request_rate(
            request=service_request, rating=data["rating"], comment=data["comment"], user=None
        )

    return _step(request, pk, RateForm, "rate_form", act, _("Thank you for your rating."))


@require_POST
@portal_login_required
def request_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(service_request: ServiceRequest, data: dict[str, Any]) -> None:
        request_services.request_reopen(request=service_request, user=None, reason=data["reason"])

    return _step(
        request, pk, ReopenForm, "reopen_form", act, _("The request is open again; we are on it.")
    )


@require_GET
@portal_login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_of(request.portal_account.customer, pk)  # type: ignore[attr-defined]
    if not attachment.file:
        raise Http404
    return serve_private_file(
        attachment.file, name=attachment.original_name, content_type=attachment.content_type
    )

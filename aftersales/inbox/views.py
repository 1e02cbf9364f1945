"""Pages of the inbox, for administrators: the list of inbound e-mail (quarantine first in
mind), one message as it was read, its original as a download, and the decisions on a
quarantined one (add it to a request, register it as a new request, reject it)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from aftersales.core.files import serve_private_file
from aftersales.core.history import history_of
from aftersales.core.views import ObjectDetailView, ObjectListView
from aftersales.inbox import forms, services
from aftersales.inbox.filters import InboundMessageFilter
from aftersales.inbox.models import InboundMessage

VIEW = "inbox.view_inboundmessage"
CHANGE = "inbox.change_inboundmessage"


class MessageListView(ObjectListView):
    model = InboundMessage
    permission_required = VIEW
    filterset_class = InboundMessageFilter
    template_name = "inbox/message_list.html"
    sortable = {
        "received": "received_at",
        "from": "from_address",
        "subject": "subject",
        "status": "status",
    }
    default_sort = "-received"
    columns = [
        ("received", _("Received")),
        ("from", _("From")),
        ("subject", _("Subject")),
        ("status", _("Status")),
        ("", _("Request")),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("request")
            .defer("text", "headers", "attachments", "notes")
        )


class MessageDetailView(ObjectDetailView):
    model = InboundMessage
    permission_required = VIEW
    template_name = "inbox/message_detail.html"
    context_object_name = "inbound"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("request", "unit", "handled_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            can_handle=self.object.can_be_handled and self.request.user.has_perm(CHANGE),
            history=history_of(self.object),
        )
        return context


class MessageRawView(ObjectDetailView):
    """The original message as received (.eml), always as a download."""

    model = InboundMessage
    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        message = self.get_object()
        return serve_private_file(
            message.raw, name=f"message-{message.pk}.eml", content_type="message/rfc822"
        )


class MessageActionView(ObjectDetailView):
    """GET shows the form; POST calls the service. An e-mail already handled shows why no
    form is offered."""

    model = InboundMessage
    permission_required = CHANGE
    template_name = "inbox/message_action.html"
    context_object_name = "inbound"
    form_class: type[django_forms.Form]
    title: Any = ""
    button: Any = ""
    done_message: Any = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=kwargs.get("form") or self.form_class(user=self.request.user),
            title=self.title,
            button=self.button,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                self.act(form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key, errors in error.error_dict.items():
                        form.add_error(key if key in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, self.done_message)
                return redirect("inbox:message_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def act(self, data: dict[str, Any]) -> None:
        raise NotImplementedError


class MessageAttachView(MessageActionView):
    form_class = forms.AttachForm
    title = _("Add the e-mail to a request")
    button = _("Add to the request")
    done_message = _("The e-mail has been added to the request.")

    def act(self, data: dict[str, Any]) -> None:
        services.message_attach(message=self.object, request=data["number"], user=self.request.user)


class MessageRegisterView(MessageActionView):
    form_class = forms.RegisterForm
    title = _("Register the e-mail as a new request")
    button = _("Register")
    done_message = _("A new request has been registered from the e-mail.")

    def act(self, data: dict[str, Any]) -> None:
        services.message_register(
            message=self.object,
            user=self.request.user,
            request_type=data["request_type"],
            customer=data["customer"],
        )


class MessageRejectView(MessageActionView):
    form_class = forms.RejectForm
    title = _("Reject the e-mail")
    button = _("Reject")
    done_message = _("The e-mail has been rejected; it stays in the inbox.")

    def act(self, data: dict[str, Any]) -> None:
        services.message_reject(message=self.object, user=self.request.user, note=data["note"])

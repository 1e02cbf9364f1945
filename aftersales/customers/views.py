from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from aftersales.customers import card, selectors, services
from aftersales.customers.filters import CustomerFilter
from aftersales.customers.forms import CustomerForm, MergeForm, customer_formsets
from aftersales.customers.models import Customer
from aftersales.customers.phones import display as display_phone


def _phones_of(customer: Customer) -> str:
    return ", ".join(display_phone(phone.number) for phone in customer.phones.all())


class CustomerListView(ObjectListView):
    model = Customer
    permission_required = "customers.view_customer"
    filterset_class = CustomerFilter
    template_name = "customers/customer_list.html"
    sortable = {
        "name": "name",
        "code": "code",
        "kind": "kind",
        "unit": "unit__path",
        "created": "created_at",
    }
    default_sort = "name"
    columns = [
        ("name", _("Name")),
        ("code", _("Customer number")),
        ("kind", _("Kind")),
        ("", _("Phones")),
        ("unit", _("Serving unit")),
        ("", _("Responsible specialist")),
        ("", _("Tags")),
    ]
    export_columns = [
        (_("Customer number"), "code"),
        (_("Name"), "name"),
        (_("Kind"), lambda c: c.get_kind_display()),
        (_("Tax number"), "tax_number"),
        (_("Phones"), _phones_of),
        (_("Serving unit"), "unit.name"),
        (_("Responsible specialist"), lambda c: str(c.responsible or "")),
        (_("Tags"), lambda c: ", ".join(tag.name for tag in c.tags.all())),
        (_("Active"), "is_active"),
        (_("Created"), "created_at"),
    ]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.with_list_data(super().get_queryset())


class CustomerDetailView(ObjectDetailView):
    model = Customer
    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.customer_card(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer, user = self.object, self.request.user
        timeline = card.timeline_for(customer, user)
        context.update(
            duplicates=selectors.possible_duplicates(customer, user),
            sections=card.sections_for(customer, user),
            timeline=timeline,
            first_contact=selectors.is_first_contact(customer, user, timeline=timeline),
            history=history_of(customer),
            can_merge=user.has_perm("customers.merge_customer"),
        )
        return context


class CustomerFormMixin:
    """The card form with its four formsets; the service writes everything in one go."""

    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    success_message = _("The customer has been saved.")
    form_takes_user = True
    warn_about_duplicates = False

    request: HttpRequest
    object: Customer | None

    @property
    def formsets(self) -> dict[str, Any]:
        if not hasattr(self, "_formsets"):
            data = self.request.POST if self.request.method == "POST" else None
            self._formsets = customer_formsets(
                data,
                customer=self.object,
                user=self.request.user,
                phone=self.request.GET.get("phone", "") if self.object is None else "",
            )
        return self._formsets

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["formsets"] = self.formsets
        context["nested_errors"] = getattr(self, "nested_errors", {})
        context["duplicates"] = getattr(self, "duplicates", None)
        return context

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        for formset in self.formsets.values():
            formset.is_valid()  # bind the rows' errors for the page
        return super().form_invalid(form)  # type: ignore[misc]

    def nested_data(self) -> dict[str, list[Any]]:
        rows = {name: formset.rows() for name, formset in self.formsets.items()}
        return {
            "contacts": rows["contacts"],
            "phones": rows["phones"],
            "emails": [row["address"] for row in rows["emails"]],
            "addresses": rows["addresses"],
        }

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        if not all(formset.is_valid() for formset in self.formsets.values()):
            return self.form_invalid(form)
        if self.warn_about_duplicates and not self.request.POST.get("save_anyway"):
            nested = self.nested_data()
            numbers = [p["number"] for p in nested["phones"]]
            emails = list(nested["emails"])
            for contact in nested["contacts"]:
                numbers += contact["phones"]
                emails += contact["emails"]
            self.duplicates = selectors.duplicates_of(
                phones=numbers,
                emails=emails,
                tax_number=form.cleaned_data.get("tax_number") or "",
                user=self.request.user,
            )
            if self.duplicates:
                return self.form_invalid(form)
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            self.nested_errors = {}
            for field, errors in error.message_dict.items():
                if field in form.fields:
                    form.add_error(field, errors)
                elif field in self.formsets:
                    self.nested_errors[field] = errors
                else:
                    form.add_error(None, errors)
            return self.form_invalid(form)

    def get_success_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.object.pk])  # type: ignore[union-attr]


class CustomerCreateView(CustomerFormMixin, ObjectCreateView):
    permission_required = "customers.add_customer"
    warn_about_duplicates = True

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.customer_create(
            user=self.request.user, **form.cleaned_data, **self.nested_data()
        )


class CustomerUpdateView(CustomerFormMixin, ObjectUpdateView):
    permission_required = "customers.change_customer"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.customer_update(
            customer=self.get_object(),
            user=self.request.user,
            **form.cleaned_data,
            **self.nested_data(),
        )


class CustomerMergeView(ObjectDetailView):
    """Choose the duplicate (from the possible duplicates, or by its customer number), compare
    the two cards, confirm: the duplicate is folded into this customer."""

    model = Customer
    permission_required = "customers.merge_customer"
    template_name = "customers/customer_merge.html"
    context_object_name = "customer"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.customer_card(self.request.user)

    def _duplicate(self, survivor: Customer) -> Customer | None:
        visible = selectors.customer_card(self.request.user).exclude(pk=survivor.pk)
        pk = self.request.GET.get("duplicate", "")
        code = self.request.GET.get("code", "").strip()[:40]
        if pk.isdigit():
            return visible.filter(pk=int(pk)).first()
        if code:
            return visible.filter(code__in={code, code.upper()}).first()
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        survivor = self.object
        duplicate = kwargs.get("duplicate") or self._duplicate(survivor)
        context.update(
            duplicate=duplicate,
            looked_up=bool(self.request.GET.get("duplicate") or self.request.GET.get("code")),
            candidates=selectors.possible_duplicates(survivor, self.request.user),
            form=kwargs.get("form")
            or MergeForm(
                initial={"duplicate": duplicate.pk if duplicate else None},
                user=self.request.user,
                survivor=survivor,
            ),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survivor = get_object_or_404(self.get_queryset(), pk=pk)
        self.object = survivor
        form = MergeForm(request.POST, user=request.user, survivor=survivor)
        if form.is_valid():
            duplicate = form.cleaned_data["duplicate"]
            try:
                services.customer_merge(survivor=survivor, duplicate=duplicate, user=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("“%(name)s” has been merged into this customer.") % {"name": duplicate.name},
                )
                return redirect("customers:customer_detail", pk=survivor.pk)
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=400)

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.history import history_of
from aftersales.core.scoping import ancestor_paths
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from aftersales.organisation import services
from aftersales.organisation.filters import UnitFilter
from aftersales.organisation.forms import UnitForm
from aftersales.organisation.models import Unit


class UnitListView(ObjectListView):
    model = Unit
    permission_required = "organisation.view_unit"
    filterset_class = UnitFilter
    template_name = "organisation/unit_list.html"
    sortable = {"tree": "path", "name": "name", "code": "code", "kind": "kind"}
    default_sort = "tree"
    columns = [
        ("name", _("Name")),
        ("code", _("Code")),
        ("kind", _("Kind")),
        ("", _("Ownership")),
        ("", _("Time zone")),
    ]
    export_columns = [
        (_("Name"), "name"),
        (_("Code"), "code"),
        (_("Kind"), "get_kind_display"),
        (_("Ownership"), "get_ownership_display"),
        (_("Address"), "address"),
        (_("Phones"), "phones"),
        (_("E-mail"), "email"),
        (_("Time zone"), "timezone"),
        (_("Active"), "is_active"),
    ]


class UnitDetailView(ObjectDetailView):
    model = Unit
    permission_required = "organisation.view_unit"
    template_name = "organisation/unit_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        visible = Unit.objects.visible_to(self.request.user)
        # Breadcrumbs: the ancestors this user may open, in one query (not one per ancestor).
        context["lineage"] = list(
            visible.filter(path__in=ancestor_paths(unit.path)).exclude(pk=unit.pk).order_by("depth")
        )
        context["children"] = visible.filter(path__startswith=unit.path, depth=unit.depth + 1)
        context["members"] = (
            unit.members.select_related("position").order_by("username")
            if self.request.user.has_perm("accounts.view_user")
            else None
        )
        context["timezone_in_effect"] = unit.effective_timezone()
        context["history"] = history_of(unit)
        return context


class UnitCreateView(ObjectCreateView):
    model = Unit
    form_class = UnitForm
    permission_required = "organisation.add_unit"
    template_name = "organisation/unit_form.html"
    success_message = _("Unit saved.")

    form_takes_user = True

    def get_initial(self) -> dict[str, Any]:
        parent = self.request.GET.get("parent")
        return {"parent": parent} if parent else {}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = {k: v for k, v in form.cleaned_data.items() if k != "parent"}
        return services.unit_create(parent=form.cleaned_data["parent"], **data)

    def get_success_url(self) -> str:
        return reverse("organisation:unit_detail", args=[self.object.pk])


class UnitUpdateView(ObjectUpdateView):
    model = Unit
    form_class = UnitForm
    permission_required = "organisation.change_unit"
    template_name = "organisation/unit_form.html"
    success_message = _("Unit saved.")

    form_takes_user = True

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.unit_update(unit=self.get_object(), **form.cleaned_data)

    def get_success_url(self) -> str:
        return reverse("organisation:unit_detail", args=[self.object.pk])

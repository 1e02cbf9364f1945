"""The shared page patterns: list (filter, sort, paginate; HTMX fragment), detail, and form.

Every page declares `permission_required` (a position permission) and reads its rows through
`Model.objects.visible_to(user)`, so a missing permission answers 403 and a record outside the
user's subtree answers 404, exactly like one that does not exist. The access-matrix test reads
these same attributes, so a new page is covered without new test code.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import generic
from django_filters import FilterSet

from aftersales.core.export import FORMATS, export_response


class PositionPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-out users go to the login page; signed-in users without the permission get 403."""

    raise_exception = False

    def handle_no_permission(self) -> HttpResponse:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


class ScopedQuerysetMixin:
    model: type[models.Model]

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]


def htmx_partial(request) -> bool:  # type: ignore[no-untyped-def]
    """True for an HTMX request that wants a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


class ObjectListView(PositionPermissionMixin, ScopedQuerysetMixin, generic.ListView):
    """A filtered, sorted, paginated table. The same view renders the full page or, for HTMX,
    only the table fragment (`#table` partial of the page template)."""

    filterset_class: type[FilterSet] | None = None
    # column key → ORM ordering expression; the only orderings a user may ask for
    sortable: dict[str, str] = {}
    default_sort = ""
    paginate_by = 25
    columns: list[tuple[str, str]] = []  # (sort key or "", heading)
    # (heading, attribute path such as "unit.name" or a callable taking the row): the columns
    # of "?export=csv|xlsx", which exports the list as filtered and sorted (core/export.py).
    export_columns: list[tuple[Any, Any]] = []

    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        export_format = request.GET.get("export")
        if self.export_columns and export_format in FORMATS:
            return export_response(self, export_format)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = self.filterset.qs if self.filterset.is_bound else queryset
        sort = self.request.GET.get("sort", self.default_sort)
        self.sort = sort if sort.lstrip("-") in self.sortable else self.default_sort
        if self.sort:
            expression = self.sortable[self.sort.lstrip("-")]
            descending = self.sort.startswith("-")
            queryset = queryset.order_by(f"-{expression}" if descending else expression, "pk")
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["sort"] = self.sort
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        query.pop("sort", None)
        context["query_without_sort"] = query.urlencode()
        context["columns"] = self.columns
        context["can_export"] = bool(self.export_columns)
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{name}#table" for name in names]
        return names


class ObjectDetailView(PositionPermissionMixin, ScopedQuerysetMixin, generic.DetailView):
    pass


class ObjectFormMixin(PositionPermissionMixin):
    """Forms post normally and also via HTMX: invalid input re-renders the form fragment with
    field errors in place (status 422); success redirects (HX-Redirect for HTMX)."""

    success_message = ""
    # Forms whose choices depend on who asks (units, calendars in the user's subtree) take the
    # user as a `user` keyword.
    form_takes_user = False

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        if self.form_takes_user:
            kwargs["user"] = self.request.user  # type: ignore[attr-defined]
        return kwargs

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 422 if htmx_partial(self.request) else 200
        return response

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()  # type: ignore[misc]
        if htmx_partial(self.request):
            return [f"{name}#form" for name in names]
        return names

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            self.object = self.save_form(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        url = self.get_success_url()  # type: ignore[attr-defined]
        if htmx_partial(self.request):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)

    def save_form(self, form):  # type: ignore[no-untyped-def]
        """Write through the app's service; the default saves the ModelForm."""
        return form.save()


class ObjectCreateView(ObjectFormMixin, generic.CreateView):
    pass


class ObjectUpdateView(ObjectFormMixin, ScopedQuerysetMixin, generic.UpdateView):
    pass

"""Field pages: the dispatch board, a field job (clocks, contact, assignment with
suggestions), a visit (the engineer's phone card: contact, arrival, parts, work, photos,
signature and rating, departure), the engineer's day, engineers and response policies."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
)
from aftersales.field_service import clocks, forms, selectors, services
from aftersales.field_service.models import (
    Clock,
    Engineer,
    FieldJob,
    ResponsePolicy,
    Visit,
    VisitStatus,
)
from aftersales.organisation.models import Unit
from aftersales.work_orders import services as work_orders
from aftersales.work_orders.models import Photo

DISPATCH = "field_service.dispatch_visit"
WORK = "field_service.work_visit"
CONTACT = "field_service.contact_fieldjob"


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _day(request: HttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _clock_info(job: FieldJob, now: datetime.datetime) -> list[dict[str, Any]]:
    rows = []
    for clock, due in ((Clock.CONTACT, job.contact_due_at), (Clock.ONSITE, job.onsite_due_at)):
        state = job.clock_state(clock, now)
        rows.append(
            {
                "clock": clock,
                "label": Clock(clock).label,
                "due": due,
                "state": state,
                "left_minutes": max(0, int((due - now).total_seconds() // 60)),
                "css": {
                    "met": "success",
                    "met_late": "warning",
                    "breached": "danger",
                    "warned": "warning",
                    "running": "secondary",
                }[state],
            }
        )
    return rows


# --- The board -------------------------------------------------------------------------------


class BoardView(PositionPermissionMixin, generic.TemplateView):
    """Rows: the unit's engineers; columns: the hours of the day or the days of the week;
    visits as blocks. Beside it, the unit's field orders waiting for a visit, with clocks."""

    permission_required = DISPATCH
    template_name = "field_service/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        units = Unit.objects.visible_to(user)
        chosen = self.request.GET.get("unit", "")
        if chosen.isdigit():
            unit = get_object_or_404(units, pk=int(chosen))
        else:
            unit = units.filter(pk=user.unit_id).first() or units.order_by("path").first()
        if unit is None:
            raise PermissionDenied
        view = "week" if self.request.GET.get("view") == "week" else "day"
        day = _day(self.request)
        board = selectors.board(unit, day, view)
        now = timezone.now()
        for job in board.waiting:
            job.clocks = _clock_info(job, now)  # type: ignore[attr-defined]
        step = datetime.timedelta(days=7 if view == "week" else 1)
        context.update(
            board=board,
            unit=unit,
            units=units.filter(engineers__isnull=False).distinct().order_by("path")[:200],
            day=day,
            view=view,
            previous=day - step,
            following=day + step,
            today=timezone.localdate(),
        )
        return context


# --- A field job -----------------------------------------------------------------------------


class JobDetailView(ObjectDetailView):
    """One field order's clocks and visits; the contact with the customer; a visit planned
    with the suggested engineers."""

    model = FieldJob
    permission_required = "field_service.view_fieldjob"
    template_name = "field_service/job_detail.html"
    context_object_name = "job"

    def get_queryset(self) -> QuerySet[FieldJob]:
        return (
            super()
            .get_queryset()
            .select_related("work_order__customer", "work_order__unit", "policy")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job, user = self.object, self.request.user
        order = job.work_order
        day = _day(self.request)
        can_dispatch = user.has_perm(DISPATCH)
        engineers = selectors.engineers_of(order.unit)
        context.update(
            order=order,
            clocks=_clock_info(job, timezone.now()),
            breaches=list(job.breaches.all()),
            visits=list(order.visits.select_related("engineer__user").order_by("-window_start")),
            can_dispatch=can_dispatch,
            can_contact=user.has_perm(CONTACT) and not order.is_closed,
            contact_form=kwargs.get("contact_form") or forms.ContactForm(),
            day=day,
        )
        if can_dispatch and not order.is_closed:
            context["suggestions"] = selectors.suggestions(order, day)
            start = job.appointment_start or timezone.now().replace(
                minute=0, second=0, microsecond=0
            ) + datetime.timedelta(hours=1)
            end = job.appointment_end or start + datetime.timedelta(hours=2)
            chosen = self.request.GET.get("engineer", "")
            context["schedule_form"] = kwargs.get("schedule_form") or forms.ScheduleForm(
                engineers=engineers,
                initial={
                    "window_start": timezone.localtime(start),
                    "window_end": timezone.localtime(end),
                    "agreed": job.appointment_start is not None,
                    "engineer": int(chosen) if chosen.isdigit() else None,
                },
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = job = self.get_object()
        order = job.work_order
        action = request.POST.get("action")
        extra: dict[str, Any] = {}
        try:
            if action == "contact":
                if not request.user.has_perm(CONTACT):
                    raise PermissionDenied
                form = forms.ContactForm(request.POST)
                if not form.is_valid():
                    extra["contact_form"] = form
                    raise ValidationError(_("Check the contact details."))
                clocks.contact_record(job=job, user=request.user, **form.cleaned_data)
                messages.success(request, _("The contact with the customer is recorded."))
            elif action == "schedule":
                if not request.user.has_perm(DISPATCH):
                    raise PermissionDenied
                form = forms.ScheduleForm(
                    request.POST, engineers=selectors.engineers_of(order.unit)
                )
                if not form.is_valid():
                    extra["schedule_form"] = form
                    raise ValidationError(_("Check the visit's details."))
                visit = services.visit_schedule(order=order, user=request.user, **form.cleaned_data)
                messages.success(request, _("The visit is planned."))
                day = timezone.localtime(visit.window_start).date()
                board = reverse("field_service:board")
                return redirect(f"{board}?unit={order.unit_id}&date={day:%Y-%m-%d}")
            else:
                raise ValidationError(_("Choose an action."))
        except ValidationError as error:
            _errors_to_messages(request, error)
            if extra:
                return self.render_to_response(self.get_context_data(**extra), status=422)
        return redirect("field_service:job_detail", job.pk)


# --- A visit: the engineer's card ------------------------------------------------------------


def _finish_form_defaults(visit: Visit) -> dict[str, Any]:
    return {"signer_name": visit.work_order.customer.name}


class VisitDetailView(ObjectDetailView):
    """One visit, laid out for a phone: the customer, where and how to call, the clocks, and
    the steps as large buttons. Posting an `action` takes the step."""

    model = Visit
    permission_required = "field_service.view_visit"
    template_name = "field_service/visit_detail.html"
    context_object_name = "visit"

    def get_queryset(self) -> QuerySet[Visit]:
        return (
            super()
            .get_queryset()
            .select_related(
                "engineer__user",
                "work_order__customer",
                "work_order__unit",
                "work_order__product__model",
                "work_order__field_job",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visit, user = self.object, self.request.user
        order = visit.work_order
        own = visit.engineer.user_id == user.pk
        can_work = user.has_perm(WORK) and (own or user.has_perm(DISPATCH))
        job = getattr(order, "field_job", None)
        context.update(
            order=order,
            job=job,
            clocks=_clock_info(job, timezone.now()) if job else [],
            phone=selectors.customer_phone(order),
            can_work=can_work and not order.is_closed,
            can_dispatch=user.has_perm(DISPATCH) and visit.status in ("planned", "en_route"),
            part_lines=list(order.part_lines.select_related("part")),
            labour_lines=list(order.labour_lines.all()),
            photos=list(order.photos.all()),
            signed=order.signatures.filter(kind="service_record").first(),
            contact_form=forms.ContactForm(),
            depart_form=forms.DepartForm(),
            finish_form=kwargs.get("finish_form")
            or forms.FinishForm(initial=_finish_form_defaults(visit)),
            part_form=forms.PartForm(),
            labour_form=forms.LabourForm(),
            photo_form=forms.PhotoForm(),
            reason_form=forms.ReasonForm(),
            reassign_form=forms.ReassignForm(engineers=selectors.engineers_of(order.unit)),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = visit = self.get_object()
        action = request.POST.get("action", "")
        user = request.user
        dispatcher_only = {"reassign", "cancel"}
        needed = DISPATCH if action in dispatcher_only else WORK
        if not user.has_perm(needed):
            raise PermissionDenied
        order = visit.work_order
        try:
            with transaction.atomic():
                done = self._take(request, visit, order, action)
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            if done:
                messages.success(request, done)
        return redirect("field_service:visit_detail", visit.pk)

    def _take(self, request: HttpRequest, visit: Visit, order: Any, action: str) -> str:
        user = request.user
        post = request.POST
        if action == "set_off":
            services.visit_set_off(visit=visit, user=user)
            return _("On the way.")
        if action == "arrive":
            services.visit_arrive(visit=visit, user=user)
            return _("Arrival recorded.")
        if action == "contact":
            form = forms.ContactForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            clocks.contact_record(job=services.job_for(order), user=user, **form.cleaned_data)
            return _("The contact with the customer is recorded.")
        if action == "depart":
            form = forms.DepartForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            services.visit_depart(visit=visit, user=user, **form.cleaned_data)
            return _("Departure recorded.")
        if action == "finish":
            form = forms.FinishForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            data = form.cleaned_data
            services.visit_finish(
                visit=visit,
                signer_name=data["signer_name"],
                image_data_url=data["signature"],
                rating=data["rating"],
                comment=data["comment"],
                user=user,
            )
            return _("Signed and completed. Thank you!")
        if action in {"part", "labour", "photo"}:
            if visit.status != VisitStatus.ON_SITE:
                raise ValidationError(_("Record the arrival first."))
            services._check_own(visit, user)
        if action == "part":
            form = forms.PartForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            work_orders.part_issue(
                order=order,
                part=form.cleaned_data["part"],
                quantity=form.cleaned_data["quantity"],
                user=user,
            )
            return _("Part recorded.")
        if action == "labour":
            form = forms.LabourForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            work_orders.labour_add(order=order, user=user, **form.cleaned_data)
            if not order.work_done:
                work_orders.work_order_update_diagnosis(
                    order=order, user=user, work_done=form.cleaned_data["description"]
                )
            return _("Work recorded.")
        if action == "photo":
            form = forms.PhotoForm(post, request.FILES)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            work_orders.photo_add(
                order=order,
                stage=Photo.Stage.ON_SITE,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
                user=user,
            )
            return _("Photo added.")
        if action == "reassign":
            form = forms.ReassignForm(post, engineers=selectors.engineers_of(order.unit))
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            services.visit_reassign(visit=visit, user=user, **form.cleaned_data)
            return _("The visit is reassigned.")
        if action == "cancel":
            form = forms.ReasonForm(post)
            if not form.is_valid():
                _form_errors(request, form)
                return ""
            services.visit_cancel(visit=visit, user=user, reason=form.cleaned_data["reason"])
            return _("The visit is cancelled.")
        raise ValidationError(_("Choose an action."))


class MyJobsView(PositionPermissionMixin, generic.TemplateView):
    """The engineer's day on the phone: today's visits (and any still under way)."""

    permission_required = WORK
    template_name = "field_service/my_jobs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        day = _day(self.request)
        visits = list(selectors.my_visits(self.request.user, day, timezone.get_current_timezone()))
        phones = selectors.customer_phones([v.work_order.customer_id for v in visits])
        for visit in visits:
            visit.phone = phones.get(visit.work_order.customer_id, "")  # type: ignore[attr-defined]
        context.update(
            visits=visits,
            day=day,
            is_engineer=Engineer.objects.filter(user=self.request.user).exists(),
        )
        return context


# --- Engineers and policies ------------------------------------------------------------------


class EngineerListView(ObjectListView):
    model = Engineer
    permission_required = "field_service.view_engineer"
    template_name = "field_service/engineer_list.html"
    sortable = {"name": "user__last_name", "unit": "unit__name"}
    default_sort = "name"
    columns = [
        ("name", gettext_lazy("Engineer")),
        ("unit", gettext_lazy("Unit")),
        ("", gettext_lazy("Regions")),
        ("", gettext_lazy("Skills")),
        ("", gettext_lazy("Active")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("user", "unit")
            .prefetch_related("regions", "user__skills")
        )


class EngineerFormMixin:
    model = Engineer
    form_class = forms.EngineerForm
    template_name = "field_service/form.html"
    form_takes_user = True
    success_message = gettext_lazy("The engineer has been saved.")

    def get_success_url(self) -> str:
        return reverse("field_service:engineer_list")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            title=_("Field engineer"),
            list_url=reverse("field_service:engineer_list"),
            list_title=_("Field engineers"),
        )
        return context


class EngineerCreateView(EngineerFormMixin, ObjectCreateView):
    permission_required = "field_service.add_engineer"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        data = dict(form.cleaned_data)
        return services.engineer_create(**data)


class EngineerUpdateView(EngineerFormMixin, ObjectUpdateView):
    permission_required = "field_service.change_engineer"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.engineer_update(engineer=self.object, **form.cleaned_data)


class PolicyListView(ObjectListView):
    model = ResponsePolicy
    permission_required = "field_service.view_responsepolicy"
    template_name = "field_service/policy_list.html"
    sortable = {"name": "name"}
    default_sort = "name"
    columns = [
        ("name", gettext_lazy("Name")),
        ("", gettext_lazy("For the units under")),
        ("", gettext_lazy("Kind of work")),
        ("", gettext_lazy("Contact within")),
        ("", gettext_lazy("On site within")),
        ("", gettext_lazy("Hours")),
        ("", gettext_lazy("Active")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("unit")


class PolicyFormMixin:
    model = ResponsePolicy
    form_class = forms.PolicyForm
    template_name = "field_service/form.html"
    form_takes_user = True
    success_message = gettext_lazy("The response policy has been saved.")

    def get_success_url(self) -> str:
        return reverse("field_service:policy_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            title=_("Response policy"),
            list_url=reverse("field_service:policy_list"),
            list_title=_("Response policies"),
            intro=_(
                "Seed 001: contact the customer within 16 hours of receiving the order and be "
                "on site within 24 hours. The policy of the nearest unit up the tree applies; "
                "business hours follow the unit's calendar, holidays included."
            ),
        )
        return context


class PolicyCreateView(PolicyFormMixin, ObjectCreateView):
    permission_required = "field_service.add_responsepolicy"


class PolicyUpdateView(PolicyFormMixin, ObjectUpdateView):
    permission_required = "field_service.change_responsepolicy"

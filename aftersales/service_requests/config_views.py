"""Pages where administrators configure service requests: request types (their questions, a
preview of the agent's form, the transitions matrix), the decisions directory, SLA policies,
skills and routing rules. Every page needs the configure permission; writes go through
config_services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from aftersales.accounts.models import User
from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
    htmx_partial,
)
from aftersales.service_requests import config_services, questions
from aftersales.service_requests.config_forms import (
    AnswersPreviewForm,
    DecisionForm,
    QuestionForm,
    RequestTypeForm,
    RoutingRuleForm,
    SkillForm,
    SlaPolicyForm,
    TransitionsForm,
    answers_from,
)
from aftersales.service_requests.models import (
    Decision,
    FieldKind,
    RequestType,
    RequestTypeField,
    RoutingRule,
    Skill,
    SlaPolicy,
    Status,
)

CONFIGURE = "service_requests.configure_servicerequest"

TYPES_TITLE = gettext_lazy("Request types")
DECISIONS_TITLE = gettext_lazy("Decisions")
SLA_TITLE = gettext_lazy("SLA policies")
SKILLS_TITLE = gettext_lazy("Skills")
ROUTING_TITLE = gettext_lazy("Routing rules")


class ServiceErrorsMixin:
    """A ValidationError from the service becomes errors on the form's fields (keys the form
    lacks become errors of the whole form), re-rendered like any invalid input."""

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


class ConfigFormMixin(ServiceErrorsMixin):
    """Create and edit pages of the configuration share config/form.html: a breadcrumb from
    the directory's list, the form, and the record's change history when it has one."""

    template_name = "service_requests/config/form.html"
    permission_required = CONFIGURE
    list_title: Any = ""
    list_url_name = ""
    new_title: Any = ""
    intro: Any = ""

    def get_title(self) -> str:
        record = getattr(self, "object", None)
        if record is not None and record.pk:
            return _("Edit %(name)s") % {"name": record}
        return str(self.new_title)

    def get_breadcrumbs(self) -> list[tuple[str, Any]]:
        return [(reverse(self.list_url_name), self.list_title)]

    def get_cancel_url(self) -> str:
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        record = getattr(self, "object", None)
        context.update(
            {
                "title": self.get_title(),
                "breadcrumbs": self.get_breadcrumbs(),
                "cancel_url": self.get_cancel_url(),
                "intro": self.intro,
            }
        )
        if record is not None and record.pk and hasattr(record, "history"):
            context["history"] = history_of(record)
            context["show_history"] = True
        return context

    def get_success_url(self) -> str:
        return reverse(self.list_url_name)

    def get_template_names(self) -> list[str]:
        if htmx_partial(self.request):  # type: ignore[attr-defined]
            # The form fragment lives in the shared layout, whichever page extends it.
            return ["service_requests/config/form.html#form"]
        return super().get_template_names()  # type: ignore[misc]


# --- Request types ---------------------------------------------------------------------------


class RequestTypeListView(ObjectListView):
    model = RequestType
    permission_required = CONFIGURE
    template_name = "service_requests/config/type_list.html"
    sortable = {"order": "order", "code": "code", "name": "name"}
    default_sort = "order"
    paginate_by = 50
    columns = [
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("", gettext_lazy("Default priority")),
        ("", gettext_lazy("Skill")),
        ("", gettext_lazy("Questions")),
        ("", gettext_lazy("Active")),
        ("order", gettext_lazy("Order")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super().get_queryset().select_related("skill").annotate(question_count=Count("fields"))
        )


class RequestTypeFormMixin(ConfigFormMixin):
    model = RequestType
    form_class = RequestTypeForm
    list_title = TYPES_TITLE
    list_url_name = "service_requests:type_list"
    new_title = gettext_lazy("New request type")
    success_message = gettext_lazy("The request type has been saved.")

    def get_breadcrumbs(self) -> list[tuple[str, Any]]:
        crumbs = super().get_breadcrumbs()
        if getattr(self, "object", None) is not None:
            crumbs.append((_type_url(self.object), self.object))  # type: ignore[attr-defined]
        return crumbs

    def get_success_url(self) -> str:
        return _type_url(self.object)  # type: ignore[attr-defined]


def _type_url(request_type: RequestType) -> str:
    return reverse("service_requests:type_detail", args=[request_type.pk])


class RequestTypeCreateView(RequestTypeFormMixin, ObjectCreateView):
    intro = gettext_lazy(
        "A new type allows the usual lifecycle (registered → in work → done / cancelled, "
        "waiting for the customer); add its questions on the next page."
    )

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.request_type_create(**form.cleaned_data)


class RequestTypeUpdateView(RequestTypeFormMixin, ObjectUpdateView):
    def get_cancel_url(self) -> str:
        return _type_url(self.object)

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.request_type_update(request_type=self.object, **form.cleaned_data)


def transition_rows(request_type: RequestType) -> list[dict[str, Any]]:
    """The matrix: one row per from-status, one cell per to-status."""
    allowed = set(request_type.transitions.values_list("from_status", "to_status"))
    return [
        {
            "status": Status(a),
            "cells": [
                {
                    "value": f"{a}:{b}",
                    "to": Status(b),
                    "same": a == b,
                    "allowed": (a, b) in allowed,
                    "mandatory": (a, b) in config_services.MANDATORY_TRANSITIONS,
                }
                for b in Status.values
            ],
        }
        for a in Status.values
    ]


class RequestTypeDetailView(ObjectDetailView):
    """A type with everything that belongs to it: questions, transitions, decisions, SLA."""

    model = RequestType
    permission_required = CONFIGURE
    template_name = "service_requests/config/type_detail.html"
    context_object_name = "request_type"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("skill")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request_type = self.object
        context.update(
            {
                "questions": request_type.fields.select_related("show_if_field"),
                "transitions": sorted(
                    request_type.transitions.all(),
                    key=lambda t: (
                        Status.values.index(t.from_status),
                        Status.values.index(t.to_status),
                    ),
                ),
                "decisions": request_type.decisions.all(),
                "general_decisions": Decision.objects.filter(
                    request_type__isnull=True, is_active=True
                ).count(),
                "sla_policies": request_type.sla_policies.all(),
                "history": history_of(request_type),
            }
        )
        return context


class TransitionsView(ServiceErrorsMixin, ObjectUpdateView):
    """The statuses a type allows, as a from × to matrix of checkboxes saved as a whole."""

    model = RequestType
    permission_required = CONFIGURE
    form_class = TransitionsForm
    template_name = "service_requests/config/transitions.html"
    context_object_name = "request_type"
    success_message = gettext_lazy("The allowed transitions have been saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        pairs = self.object.transitions.values_list("from_status", "to_status")
        return {"allowed": [f"{a}:{b}" for a, b in pairs]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        rows = transition_rows(self.object)
        if form.is_bound:
            # After a refused save the matrix shows what was posted, not what is stored.
            posted = set(form.data.getlist("allowed"))
            for row in rows:
                for cell in row["cells"]:
                    cell["allowed"] = cell["value"] in posted
        context.update({"rows": rows, "statuses": Status.choices})
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        config_services.transitions_save(request_type=self.object, allowed=form.allowed_pairs())
        return self.object

    def get_success_url(self) -> str:
        return _type_url(self.object)


# --- Questions -------------------------------------------------------------------------------


def _questions_of_visible_types(user: User) -> QuerySet[RequestTypeField]:
    return RequestTypeField.objects.filter(
        request_type__in=RequestType.objects.visible_to(user)
    ).select_related("request_type")


class QuestionFormMixin(ConfigFormMixin):
    form_class = QuestionForm
    list_title = TYPES_TITLE
    list_url_name = "service_requests:type_list"
    template_name = "service_requests/config/question_form.html"
    success_message = gettext_lazy("The question has been saved.")

    def request_type(self) -> RequestType:
        raise NotImplementedError

    def get_breadcrumbs(self) -> list[tuple[str, Any]]:
        request_type = self.request_type()
        return [*super().get_breadcrumbs(), (_type_url(request_type), request_type)]

    def get_cancel_url(self) -> str:
        return _type_url(self.request_type())

    def get_success_url(self) -> str:
        return _type_url(self.request_type())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["request_type"] = self.request_type()
        context["preview_url"] = reverse(
            "service_requests:type_preview", args=[self.request_type().pk]
        )
        return context


class QuestionCreateView(QuestionFormMixin, ObjectUpdateView):
    """Add a question to a type: the route's pk is the type's."""

    model = RequestType
    new_title = gettext_lazy("New question")

    def request_type(self) -> RequestType:
        return self.object

    def get_title(self) -> str:
        return _("New question for “%(type)s”") % {"type": self.object}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = RequestTypeField(request_type=self.object)
        kwargs["request_type"] = self.object
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        last = self.object.fields.order_by("-order").values_list("order", flat=True).first()
        return {"order": (last or 0) + 10, "kind": FieldKind.TEXT}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.pop("history", None)
        context["show_history"] = False
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        config_services.question_create(request_type=self.object, **form.cleaned_data)
        return self.object


class QuestionUpdateView(QuestionFormMixin, ObjectUpdateView):
    model = RequestTypeField
    context_object_name = "question"

    def get_queryset(self) -> QuerySet[Any]:
        return _questions_of_visible_types(self.request.user)  # type: ignore[arg-type]

    def request_type(self) -> RequestType:
        return self.object.request_type

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request_type": self.object.request_type}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["delete_url"] = reverse("service_requests:question_delete", args=[self.object.pk])
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.question_update(question=self.object, **form.cleaned_data)


class QuestionDeleteView(PositionPermissionMixin, generic.DeleteView):
    """GET asks for confirmation; POST removes the question unless others depend on it."""

    model = RequestTypeField
    permission_required = CONFIGURE
    template_name = "service_requests/config/question_delete.html"
    context_object_name = "question"

    def get_queryset(self) -> QuerySet[Any]:
        return _questions_of_visible_types(self.request.user)  # type: ignore[arg-type]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["dependents"] = self.object.dependent_fields.all()
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        question = self.object
        try:
            config_services.question_delete(question=question)
        except ValidationError as error:
            context = self.get_context_data(error=" ".join(error.messages))
            return self.render_to_response(context)
        messages.success(
            self.request,
            _("The question “%(question)s” has been deleted.") % {"question": question},
        )
        return redirect(_type_url(question.request_type))


class TypePreviewView(ObjectDetailView):
    """The type's questions as the agent will see them. Each change re-renders the form on the
    server (HTMX), so conditional questions appear and disappear by the same rule that
    registration applies (questions.shown_fields); "Check" runs the registration's checks."""

    model = RequestType
    permission_required = CONFIGURE
    template_name = "service_requests/config/type_preview.html"
    context_object_name = "request_type"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        all_questions = list(self.object.fields.all())
        answers = answers_from(self.request.GET, all_questions)
        shown = questions.shown_fields(all_questions, answers)
        errors: dict[str, list[str]] = {}
        checked = "check" in self.request.GET
        if checked:
            # Files cannot travel in the preview's GET: take every shown file as attached.
            files = {q.key for q in shown if q.kind == FieldKind.FILE}
            try:
                questions.clean_answers(all_questions, answers, files)
            except ValidationError as error:
                errors = error.message_dict
        context.update(
            {
                "form": AnswersPreviewForm(self.request.GET, shown=shown, answer_errors=errors),
                "checked": checked,
                "valid": checked and not errors,
                "hidden_count": len(all_questions) - len(shown),
            }
        )
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{name}#preview" for name in names]
        return names


# --- Decisions -------------------------------------------------------------------------------


def _type_from_query(request: HttpRequest) -> RequestType | None:
    """The type a "new … for this type" link names in ?type=; ignored when unknown."""
    raw = request.GET.get("type", "")
    if not raw.isdigit():
        return None
    return RequestType.objects.visible_to(request.user).filter(pk=int(raw)).first()


class DecisionListView(ObjectListView):
    model = Decision
    permission_required = CONFIGURE
    template_name = "service_requests/config/decision_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Any]:
        self.filterset, self.sort = None, ""
        return (
            Decision.objects.visible_to(self.request.user)
            .select_related("request_type")
            .order_by("request_type__order", "request_type__name", "order", "name", "pk")
        )


class DecisionFormMixin(ConfigFormMixin):
    model = Decision
    form_class = DecisionForm
    list_title = DECISIONS_TITLE
    list_url_name = "service_requests:decision_list"
    new_title = gettext_lazy("New decision")
    success_message = gettext_lazy("The decision has been saved.")


class DecisionCreateView(DecisionFormMixin, ObjectCreateView):
    def get_initial(self) -> dict[str, Any]:
        return {"request_type": _type_from_query(self.request), "is_active": True}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.decision_create(**form.cleaned_data)


class DecisionUpdateView(DecisionFormMixin, ObjectUpdateView):
    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.decision_update(decision=self.object, **form.cleaned_data)


# --- SLA policies ----------------------------------------------------------------------------


class SlaPolicyListView(ObjectListView):
    model = SlaPolicy
    permission_required = CONFIGURE
    template_name = "service_requests/config/sla_list.html"
    paginate_by = 100
    sortable = {
        "name": "name",
        "response": "response_minutes",
        "resolution": "resolution_minutes",
    }
    default_sort = "name"
    columns = [
        ("name", gettext_lazy("Name")),
        ("", gettext_lazy("Request type")),
        ("", gettext_lazy("Priority")),
        ("", gettext_lazy("Contract service level")),
        ("response", gettext_lazy("Response within")),
        ("resolution", gettext_lazy("Resolve within")),
        ("", gettext_lazy("Next escalation after")),
        ("", gettext_lazy("Active")),
    ]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("request_type")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        for policy in rows:
            policy.response_hours = as_hours(policy.response_minutes)
            policy.resolution_hours = as_hours(policy.resolution_minutes)
            policy.escalation_hours = as_hours(policy.escalation_step_minutes)
        context["rows"] = rows
        return context


def as_hours(minutes: int) -> str:
    """Minutes as hours for reading ("1.5", "24", "0.08"): targets are typed in minutes."""
    return f"{round(minutes / 60, 2):g}"


class SlaPolicyFormMixin(ConfigFormMixin):
    model = SlaPolicy
    form_class = SlaPolicyForm
    list_title = SLA_TITLE
    list_url_name = "service_requests:sla_list"
    new_title = gettext_lazy("New SLA policy")
    success_message = gettext_lazy("The SLA policy has been saved.")
    intro = gettext_lazy(
        "Targets are business minutes of the handling unit's calendar (480 = one 8-hour "
        "working day). The most specific active policy applies: a matching type counts more "
        "than a contract level, which counts more than a priority."
    )


class SlaPolicyCreateView(SlaPolicyFormMixin, ObjectCreateView):
    def get_initial(self) -> dict[str, Any]:
        return {
            "request_type": _type_from_query(self.request),
            "is_active": True,
            "escalation_step_minutes": 60,
        }

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.sla_policy_create(**form.cleaned_data)


class SlaPolicyUpdateView(SlaPolicyFormMixin, ObjectUpdateView):
    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.sla_policy_update(policy=self.object, **form.cleaned_data)


# --- Skills ----------------------------------------------------------------------------------


class SkillListView(ObjectListView):
    model = Skill
    permission_required = CONFIGURE
    template_name = "service_requests/config/skill_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Any]:
        self.filterset, self.sort = None, ""
        # Only the members the viewer may see: another centre's people stay out of sight.
        members = (
            User.objects.visible_to(self.request.user)
            .select_related("unit")
            .order_by("last_name", "first_name", "username")
        )
        return (
            Skill.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("members", queryset=members))
            .annotate(type_count=Count("request_types", distinct=True))
            .order_by("name")
        )


class SkillFormMixin(ConfigFormMixin):
    model = Skill
    form_class = SkillForm
    list_title = SKILLS_TITLE
    list_url_name = "service_requests:skill_list"
    new_title = gettext_lazy("New skill")
    success_message = gettext_lazy("The skill has been saved.")
    form_takes_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs.pop("instance", None)
        return kwargs


class SkillCreateView(SkillFormMixin, ObjectCreateView):
    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.skill_create(user=self.request.user, **form.cleaned_data)


class SkillUpdateView(SkillFormMixin, ObjectUpdateView):
    def get_initial(self) -> dict[str, Any]:
        return {"name": self.object.name, "members": list(self.object.members.all())}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.skill_update(
            skill=self.object, user=self.request.user, **form.cleaned_data
        )


# --- Routing rules ---------------------------------------------------------------------------


class RoutingRuleListView(ObjectListView):
    model = RoutingRule
    permission_required = CONFIGURE
    template_name = "service_requests/config/routing_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Any]:
        self.filterset, self.sort = None, ""
        return (
            RoutingRule.objects.visible_to(self.request.user)
            .select_related("region", "skill", "handling_unit")
            .order_by("order", "region__path", "pk")
        )


class RoutingRuleFormMixin(ConfigFormMixin):
    model = RoutingRule
    form_class = RoutingRuleForm
    list_title = ROUTING_TITLE
    list_url_name = "service_requests:routing_list"
    new_title = gettext_lazy("New routing rule")
    success_message = gettext_lazy("The routing rule has been saved.")
    form_takes_user = True
    intro = gettext_lazy(
        "When a customer has no responsible specialist, a new request goes to the unit the "
        "first fitting rule names (by the region of the customer's address and the type's "
        "skill); without a rule, to the customer's own serving unit."
    )


class RoutingRuleCreateView(RoutingRuleFormMixin, ObjectCreateView):
    def get_initial(self) -> dict[str, Any]:
        return {"order": 100}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.routing_rule_create(user=self.request.user, **form.cleaned_data)


class RoutingRuleUpdateView(RoutingRuleFormMixin, ObjectUpdateView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["delete_url"] = reverse("service_requests:routing_delete", args=[self.object.pk])
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return config_services.routing_rule_update(
            rule=self.object, user=self.request.user, **form.cleaned_data
        )


class RoutingRuleDeleteView(PositionPermissionMixin, generic.DeleteView):
    model = RoutingRule
    permission_required = CONFIGURE
    template_name = "service_requests/config/routing_delete.html"
    context_object_name = "rule"

    def get_queryset(self) -> QuerySet[Any]:
        return RoutingRule.objects.visible_to(self.request.user).select_related(
            "region", "skill", "handling_unit"
        )

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        config_services.routing_rule_delete(rule=self.object)
        messages.success(self.request, _("The routing rule has been deleted."))
        return redirect("service_requests:routing_list")

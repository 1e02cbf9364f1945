from django.urls import path

from aftersales.service_requests import config_views as config
from aftersales.service_requests import views, work_views

app_name = "service_requests"
urlpatterns = [
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("<int:pk>/status/", views.RequestStatusView.as_view(), name="request_status"),
    path("<int:pk>/decide/", views.RequestDecideView.as_view(), name="request_decide"),
    path("<int:pk>/assign/", views.RequestAssignView.as_view(), name="request_assign"),
    path("<int:pk>/reopen/", views.RequestReopenView.as_view(), name="request_reopen"),
    path("<int:pk>/messages/", views.RequestMessageView.as_view(), name="request_message"),
    # pk of the customer: a request is registered from the customer's card.
    path("new/for/<int:pk>/", views.RequestRegisterView.as_view(), name="request_register"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    # Configuration (administrators): request types, questions, transitions, directories.
    path("settings/types/", config.RequestTypeListView.as_view(), name="type_list"),
    path("settings/types/new/", config.RequestTypeCreateView.as_view(), name="type_create"),
    path("settings/types/<int:pk>/", config.RequestTypeDetailView.as_view(), name="type_detail"),
    path(
        "settings/types/<int:pk>/edit/", config.RequestTypeUpdateView.as_view(), name="type_update"
    ),
    path("settings/types/<int:pk>/preview/", config.TypePreviewView.as_view(), name="type_preview"),
    path(
        "settings/types/<int:pk>/transitions/",
        config.TransitionsView.as_view(),
        name="type_transitions",
    ),
    path(
        "settings/types/<int:pk>/questions/new/",
        config.QuestionCreateView.as_view(),
        name="question_create",
    ),
    path(
        "settings/questions/<int:pk>/edit/",
        config.QuestionUpdateView.as_view(),
        name="question_update",
    ),
    path(
        "settings/questions/<int:pk>/delete/",
        config.QuestionDeleteView.as_view(),
        name="question_delete",
    ),
    path("settings/decisions/", config.DecisionListView.as_view(), name="decision_list"),
    path("settings/decisions/new/", config.DecisionCreateView.as_view(), name="decision_create"),
    path(
        "settings/decisions/<int:pk>/edit/",
        config.DecisionUpdateView.as_view(),
        name="decision_update",
    ),
    path("settings/sla/", config.SlaPolicyListView.as_view(), name="sla_list"),
    path("settings/sla/new/", config.SlaPolicyCreateView.as_view(), name="sla_create"),
    path("settings/sla/<int:pk>/edit/", config.SlaPolicyUpdateView.as_view(), name="sla_update"),
    path("settings/skills/", config.SkillListView.as_view(), name="skill_list"),
    path("settings/skills/new/", config.SkillCreateView.as_view(), name="skill_create"),
    path("settings/skills/<int:pk>/edit/", config.SkillUpdateView.as_view(), name="skill_update"),
    path("settings/routing/", config.RoutingRuleListView.as_view(), name="routing_list"),
    path("settings/routing/new/", config.RoutingRuleCreateView.as_view(), name="routing_create"),
    path(
        "settings/routing/<int:pk>/edit/",
        config.RoutingRuleUpdateView.as_view(),
        name="routing_update",
    ),
    path(
        "settings/routing/<int:pk>/delete/",
        config.RoutingRuleDeleteView.as_view(),
        name="routing_delete",
    ),
    path("queue/", work_views.QueueView.as_view(), name="queue"),
    path("", work_views.ReportView.as_view(), name="request_list"),
]

from django.urls import path

from aftersales.field_service import views

app_name = "field_service"
urlpatterns = [
    path("board/", views.BoardView.as_view(), name="board"),
    path("my/", views.MyJobsView.as_view(), name="my"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("engineers/", views.EngineerListView.as_view(), name="engineer_list"),
    path("engineers/new/", views.EngineerCreateView.as_view(), name="engineer_create"),
    path("engineers/<int:pk>/edit/", views.EngineerUpdateView.as_view(), name="engineer_update"),
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/new/", views.PolicyCreateView.as_view(), name="policy_create"),
    path("policies/<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy_update"),
]

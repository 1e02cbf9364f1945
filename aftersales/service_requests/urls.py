from django.urls import path

from aftersales.service_requests import views, work_views

app_name = "service_requests"
urlpatterns = [
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("queue/", work_views.QueueView.as_view(), name="queue"),
    path("", work_views.ReportView.as_view(), name="request_list"),
]

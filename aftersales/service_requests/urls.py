from django.urls import path

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
    path("queue/", work_views.QueueView.as_view(), name="queue"),
    path("", work_views.ReportView.as_view(), name="request_list"),
]

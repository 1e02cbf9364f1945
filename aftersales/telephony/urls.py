from django.urls import path

from aftersales.telephony import views

app_name = "telephony"
urlpatterns = [
    path("", views.CallListView.as_view(), name="call_list"),
    path("pop/", views.CallPopView.as_view(), name="pop"),
    path("duty/", views.DutyView.as_view(), name="duty"),
    path("lines/", views.PhoneLineListView.as_view(), name="line_list"),
    path("lines/new/", views.PhoneLineCreateView.as_view(), name="line_create"),
    path("lines/<int:pk>/edit/", views.PhoneLineUpdateView.as_view(), name="line_update"),
]

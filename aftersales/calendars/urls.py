from django.urls import path

from aftersales.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.CalendarListView.as_view(), name="calendar_list"),
    path("<int:pk>/", views.CalendarDetailView.as_view(), name="calendar_detail"),
]

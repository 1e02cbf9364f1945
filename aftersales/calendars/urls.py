from django.urls import path

from aftersales.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.CalendarListView.as_view(), name="calendar_list"),
    path("new/", views.CalendarCreateView.as_view(), name="calendar_create"),
    path("<int:pk>/", views.CalendarDetailView.as_view(), name="calendar_detail"),
    path("<int:pk>/edit/", views.CalendarUpdateView.as_view(), name="calendar_update"),
    path("<int:pk>/hours/", views.CalendarHoursUpdateView.as_view(), name="calendar_hours"),
    path("<int:pk>/days/add/", views.CalendarDayAddView.as_view(), name="calendar_day_add"),
    path(
        "<int:pk>/holidays/",
        views.CalendarHolidaysLoadView.as_view(),
        name="calendar_holidays_load",
    ),
    path("<int:pk>/deadline/", views.CalendarDeadlineView.as_view(), name="calendar_deadline"),
    # pk of the CalendarDay: one route parameter, like every other page.
    path(
        "days/<int:pk>/delete/", views.CalendarDayDeleteView.as_view(), name="calendar_day_delete"
    ),
]

from django.urls import path

from aftersales.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.BellView.as_view(), name="bell"),
    path("read/", views.MarkReadView.as_view(), name="mark_read"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="open"),
]

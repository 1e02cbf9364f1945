from django.urls import path

from aftersales.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.MessageListView.as_view(), name="message_list"),
    path("<int:pk>/", views.MessageDetailView.as_view(), name="message_detail"),
    path("<int:pk>/original/", views.MessageRawView.as_view(), name="message_raw"),
    path("<int:pk>/attach/", views.MessageAttachView.as_view(), name="message_attach"),
    path("<int:pk>/register/", views.MessageRegisterView.as_view(), name="message_register"),
    path("<int:pk>/reject/", views.MessageRejectView.as_view(), name="message_reject"),
]

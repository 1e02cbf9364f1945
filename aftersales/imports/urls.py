from django.urls import path

from aftersales.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("new/", views.ImportCreateView.as_view(), name="import_create"),
    path("template/", views.ImportTemplateView.as_view(), name="import_template"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("<int:pk>/mapping/", views.ImportMappingView.as_view(), name="import_mapping"),
    path("<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("<int:pk>/load/", views.ImportLoadView.as_view(), name="import_load"),
    path("<int:pk>/errors.csv", views.ImportErrorsView.as_view(), name="import_errors"),
]

app_name = "field_service"
urlpatterns: list = []

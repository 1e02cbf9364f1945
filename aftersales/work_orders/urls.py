app_name = "work_orders"
urlpatterns: list = []

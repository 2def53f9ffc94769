app_name = "statistics_secretariat"

urlpatterns: list = []

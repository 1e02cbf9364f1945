from aftersales.calendars.models import BusinessCalendar
from aftersales.core.views import ObjectDetailView, ObjectListView


class CalendarListView(ObjectListView):
    model = BusinessCalendar
    permission_required = "calendars.view_businesscalendar"
    template_name = "calendars/calendar_list.html"


class CalendarDetailView(ObjectDetailView):
    model = BusinessCalendar
    permission_required = "calendars.view_businesscalendar"
    template_name = "calendars/calendar_detail.html"

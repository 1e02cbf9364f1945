

from aftersales.core.views import ObjectDetailView
from aftersales.service_requests.models import ServiceRequest

VIEW = "service_requests.view_servicerequest"

class RequestDetailView(ObjectDetailView):
    model = ServiceRequest
    permission_required = VIEW
    template_name = "service_requests/request_detail.html"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset()
            .select_related("customer", "request_type", "responsible", "unit", "decision")
        )

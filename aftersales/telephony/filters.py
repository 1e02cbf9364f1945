import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFilterFormMixin
from aftersales.telephony.models import Call, PhoneLine


def _visible_lines(request):  # type: ignore[no-untyped-def]
    if request is None:
        return PhoneLine.objects.none()
    return PhoneLine.objects.visible_to(request.user)


class CallState:
    UNANSWERED = "unanswered"
    UNKNOWN = "unknown"
    WITHHELD = "withheld"
    NO_REQUEST = "no_request"

    choices = [
        (UNANSWERED, _("Missed (not answered)")),
        (UNKNOWN, _("Unknown caller (first contact)")),
        (WITHHELD, _("Number withheld")),
        (NO_REQUEST, _("No request registered")),
    ]


_STATE_Q = {
    CallState.UNANSWERED: Q(answered_at__isnull=True),
    CallState.UNKNOWN: Q(customer__isnull=True, withheld=False),
    CallState.WITHHELD: Q(withheld=True),
    CallState.NO_REQUEST: Q(request__isnull=True),
}


class CallFilter(StyledFilterFormMixin, django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=CallState.choices, method="in_state", label=_("Calls")
    )
    line = django_filters.ModelChoiceFilter(queryset=_visible_lines, label=_("Line"))
    received = django_filters.DateFromToRangeFilter(
        field_name="received_at",
        label=_("Received (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Call
        fields = ["state", "line", "received"]

    def in_state(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(_STATE_Q[value])

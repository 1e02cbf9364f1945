import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledFilterFormMixin
from aftersales.inbox.models import InboundMessage, Reason, Status


class InboundMessageFilter(StyledFilterFormMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Sender or subject"), help_text=_("Any part of either.")
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    reason = django_filters.ChoiceFilter(choices=Reason.choices, label=_("Reason"))

    class Meta:
        model = InboundMessage
        fields = ["q", "status", "reason"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(from_address__icontains=value)
            | Q(from_name__icontains=value)
            | Q(subject__icontains=value)
        )

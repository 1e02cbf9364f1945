"""Service contracts over the API: list (the contracts page's filters), read, draw up, correct.
Drawing a contract up from a request is the request page's action, not the API's."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from aftersales.api.fields import InputModelSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedWriteViewSet
from aftersales.contracts import selectors, services
from aftersales.contracts.filters import ServiceContractFilter
from aftersales.contracts.models import ServiceContract
from aftersales.customers.models import Customer

CHANGE_FIELDS = [
    "number",
    "title",
    "service_level",
    "status",
    "valid_from",
    "valid_to",
    "notes",
]


class ServiceContractOutput(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    in_force_today = serializers.SerializerMethodField()

    class Meta:
        model = ServiceContract
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "title",
            "service_level",
            "status",
            "valid_from",
            "valid_to",
            "notes",
            "source_request",
            "created_at",
            "in_force_today",
        ]

    def get_in_force_today(self, contract: ServiceContract) -> bool:
        """Active and within its dates today, in the caller's time zone."""
        today = self.context.setdefault("today", timezone.localdate())
        return selectors.is_in_force(contract, today)


class ServiceContractChangeInput(InputModelSerializer):
    """What an update reads: the contract's own fields (its customer stays)."""

    number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text='Empty or left out: "K" and eight digits (on an update: the number stays).',
    )

    class Meta:
        model = ServiceContract
        fields = CHANGE_FIELDS
        # The number's uniqueness and the dates' order are the service's to answer, on the
        # fields, with the same messages as the page.
        validators: list = []


class ServiceContractInput(ServiceContractChangeInput):
    customer = ScopedPrimaryKeyRelatedField(Customer)

    class Meta(ServiceContractChangeInput.Meta):
        fields = ["customer", *CHANGE_FIELDS]


@extend_schema_view(
    list=extend_schema(
        summary="List service contracts",
        responses={200: ServiceContractOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A service contract",
        responses={200: ServiceContractOutput, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary="Draw up a service contract",
        request=ServiceContractInput,
        responses={201: ServiceContractOutput, **ERROR_RESPONSES},
    ),
    update=extend_schema(
        summary="Change a service contract",
        request=ServiceContractChangeInput,
        responses={200: ServiceContractOutput, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a service contract",
        request=ServiceContractChangeInput,
        responses={200: ServiceContractOutput, **ERROR_RESPONSES},
    ),
)
class ServiceContractViewSet(ScopedWriteViewSet):
    """Customers' service contracts; the service level of the one in force serves their
    requests."""

    model = ServiceContract
    queryset = ServiceContract.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = ServiceContractOutput
    input_serializer_class = ServiceContractInput
    filterset_class = ServiceContractFilter
    ordering_fields = ["number", "valid_from", "valid_to", "created_at"]
    ordering = ["-valid_from", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("customer")

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        if self.action in {"update", "partial_update"}:
            return ServiceContractChangeInput
        return super().get_serializer_class()

    def perform_create(self, data: dict[str, Any]) -> ServiceContract:
        return services.contract_create(user=self.request.user, **data)

    def perform_update(self, instance: ServiceContract, data: dict[str, Any]) -> ServiceContract:
        # A partial change keeps the fields it leaves out.
        current = {name: getattr(instance, name) for name in CHANGE_FIELDS}
        return services.contract_update(
            contract=instance, user=self.request.user, **{**current, **data}
        )


ROUTES = [("contracts", ServiceContractViewSet, "servicecontract")]

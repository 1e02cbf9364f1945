"""The phone exchange's hook: `POST /api/v1/telephony/calls`.

The exchange signs in with the API token of a technical user whose position carries
`telephony.add_call` (docs/operations.md, "Phone exchange")."""

from typing import Any

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.fields import InputSerializer
from aftersales.api.idempotency import idempotent
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.telephony import selectors, services
from aftersales.telephony.models import Call


class HasPositionPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class CallInput(InputSerializer):
    call_id = serializers.CharField(
        max_length=services.CALL_ID_MAX, help_text="The exchange's own id of the call."
    )
    caller = serializers.CharField(
        max_length=services.CALLER_MAX,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=(
            "The caller's number in any format (+8613800138000, 138 0013 8000). Empty, null, "
            'left out or without digits ("anonymous"): the number is withheld.'
        ),
    )
    called = serializers.CharField(
        max_length=services.CALLER_MAX,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The number dialled (a phone line); an unknown one goes to the default unit.",
    )


class CallCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="The customer's card.")


class CallAgentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CallOutput(serializers.ModelSerializer):
    """The call as recorded. `customer` is null when the number is on no card, is withheld,
    or is on a card the caller of the API may not see; `first_contact` is true when the
    number is on no card at all (the agent is offered a new one)."""

    customer = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()
    first_contact = serializers.BooleanField(read_only=True)
    line_name = serializers.CharField(source="line.name", read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "call_id",
            "caller",
            "caller_number",
            "withheld",
            "called",
            "line",
            "line_name",
            "unit",
            "customer",
            "first_contact",
            "agent",
            "received_at",
            "answered_at",
            "request",
        ]

    @extend_schema_field(CallCustomerOutput(allow_null=True))
    def get_customer(self, call: Call) -> dict[str, Any] | None:
        request = self.context["request"]
        customer = selectors.visible_customers(request.user, {call.customer_id}).get(
            call.customer_id
        )
        if customer is None:
            return None
        url = request.build_absolute_uri(reverse("customers:customer_detail", args=[customer.pk]))
        return {"id": customer.pk, "name": customer.name, "url": url}

    @extend_schema_field(CallAgentOutput(allow_null=True))
    def get_agent(self, call: Call) -> dict[str, Any] | None:
        if call.agent is None:
            return None
        return {"id": call.agent.pk, "name": str(call.agent)}


class CallReceiveView(APIView):
    """The phone exchange reports an incoming call: the caller is identified by phone and the
    call goes to the agent on duty whose last call is the oldest, whose screen shows the
    caller's card within seconds. A call id already reported answers 200 with the same call
    (nothing new is recorded, nothing pops up again)."""

    permission_classes = [HasPositionPermission]
    parser_classes = [JSONParser]
    permission_required = "telephony.add_call"
    model = Call

    @extend_schema(
        summary="Report an incoming call",
        request=CallInput,
        responses={
            201: CallOutput,
            200: OpenApiResponse(CallOutput, description="This call id was already reported"),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        def run() -> Response:
            data = CallInput(data=request.data, context={"request": request})
            data.is_valid(raise_exception=True)
            call, created = services.call_receive(
                call_id=data.validated_data["call_id"],
                caller=data.validated_data.get("caller"),
                called=data.validated_data.get("called"),
            )
            output = CallOutput(call, context={"request": request}).data
            return Response(
                output, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
            )

        return idempotent(request, run)


@extend_schema(exclude=True)
class CallReceiveSlashView(CallReceiveView):
    """The same hook with the trailing slash every other address of the API has."""


ROUTES: list = []
URLS = [
    # As the exchange is configured (no trailing slash: a POST cannot follow APPEND_SLASH's
    # redirect), and with the slash, as every other address of the API is written.
    path("telephony/calls", CallReceiveView.as_view(), name="telephony_calls"),
    path("telephony/calls/", CallReceiveSlashView.as_view(), name="telephony_calls_slash"),
]

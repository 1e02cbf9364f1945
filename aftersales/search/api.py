"""`GET /api/v1/search/?q=`: the one-box search for integrations (a telephony system looking up
the caller, a CRM widget)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.schema import ERROR_RESPONSES
from aftersales.customers.phones import display
from aftersales.search.selectors import MAX_QUERY_LENGTH, MatchedBy, one_box_search, with_phones

MAX_LIMIT = 50


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Phone (any format), e-mail, serial / IMEI, tax number, customer number or name.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False, default=20)


class SearchProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.CharField(source="model.code")
    serial = serializers.CharField()


class SearchHitOutput(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    code = serializers.CharField(source="customer.code", allow_null=True)
    name = serializers.CharField(source="customer.name")
    unit = serializers.IntegerField(source="customer.unit_id")
    matched_by = serializers.ChoiceField(choices=MatchedBy.choices)
    matched_value = serializers.CharField()
    phones = serializers.SerializerMethodField()
    product = SearchProductOutput(allow_null=True)

    def get_phones(self, hit: Any) -> list[str]:
        return [display(phone.number) for phone in hit.customer.phones.all()]


class SearchOutput(serializers.Serializer):
    results = SearchHitOutput(many=True)


class CanViewCustomers(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class SearchView(APIView):
    """Customers the caller may see that the query points at: exact keys (phone, e-mail,
    serial, tax number, customer number) first, otherwise by name."""

    permission_classes = [CanViewCustomers]
    permission_required = "customers.view_customer"
    model = None

    @extend_schema(
        summary="Find customers by phone, e-mail, serial, number or name",
        parameters=[SearchQuery],
        responses={200: SearchOutput, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        params = SearchQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            hits = one_box_search(
                request.user,
                params.validated_data.get("q", ""),
                limit=params.validated_data["limit"],
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        with_phones(hits)
        return Response({"results": SearchHitOutput(hits, many=True).data})


URLS = [path("search/", SearchView.as_view(), name="search")]

"""Customers over the API: the card with its nested contacts, phones, e-mails, addresses and
tags; possible duplicates; merging a duplicate; the tag directory.

Lists given in a write replace the stored ones (contacts and addresses keep their identity
when their `id` is sent back); lists left out stay as they are."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.fields import (
    InputModelSerializer,
    InputSerializer,
    ScopedPrimaryKeyRelatedField,
)
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedWriteViewSet
from aftersales.customers import phones as phone_numbers
from aftersales.customers import selectors, services
from aftersales.customers.filters import CustomerFilter
from aftersales.customers.models import (
    Address,
    Contact,
    Customer,
    Phone,
    PhoneKind,
    Tag,
)
from aftersales.organisation.models import Unit

# --- output ----------------------------------------------------------------------------------


class PhoneOutput(serializers.ModelSerializer):
    class Meta:
        model = Phone
        fields = ["number", "kind"]


class ContactOutput(serializers.ModelSerializer):
    phones = PhoneOutput(many=True, read_only=True)
    emails = serializers.SlugRelatedField(many=True, read_only=True, slug_field="address")

    class Meta:
        model = Contact
        fields = ["id", "name", "position", "is_primary", "phones", "emails"]


class AddressOutput(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "text", "postcode", "region", "is_default"]


class CustomerOutput(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    contacts = ContactOutput(many=True, read_only=True)
    phones = PhoneOutput(
        many=True, read_only=True, source="own_phones", help_text="The card's own phones."
    )
    emails = serializers.SerializerMethodField(help_text="The card's own e-mails.")
    addresses = AddressOutput(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "kind",
            "name",
            "tax_number",
            "unit",
            "responsible",
            "tags",
            "notes",
            "is_active",
            "contacts",
            "phones",
            "emails",
            "addresses",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_emails(self, customer: Customer) -> list[str]:
        return [email.address for email in customer.own_emails]  # type: ignore[attr-defined]


class DuplicateOutput(serializers.ModelSerializer):
    matched_by = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it may be the same customer: same phone, e-mail or tax number.",
    )

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "unit", "matched_by"]


class TagOutput(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


# --- input -----------------------------------------------------------------------------------


class RegionField(serializers.PrimaryKeyRelatedField):
    """A unit of kind region the caller may name (customers.selectors.region_choices)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Unit]:
        request = self.context.get("request")
        if request is None:
            return Unit.objects.none()
        return selectors.region_choices(request.user)


class TextListField(serializers.ListField):
    """A list of texts whose items must be JSON strings: DRF alone turns 0 into "0"."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list):
            errors = {
                index: [serializers.CharField.default_error_messages["invalid"]]
                for index, item in enumerate(data)
                if not isinstance(item, str)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class PhoneInput(InputSerializer):
    number = serializers.CharField(
        max_length=phone_numbers.MAX_TYPED_LENGTH,
        help_text="As typed: “138 0013 8000”, “+7 912 345-67-89” … stored in E.164.",
    )
    kind = serializers.ChoiceField(choices=PhoneKind.choices, required=False)

    def validate_number(self, value: str) -> str:
        return phone_numbers.normalise(value)


class ContactInput(InputSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send a stored contact's id back to keep that contact."
    )
    name = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)
    phones = PhoneInput(many=True, required=False)
    emails = TextListField(
        child=serializers.EmailField(max_length=254), required=False, max_length=50
    )


class AddressInput(InputSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send a stored address's id back to keep that address."
    )
    text = serializers.CharField(max_length=500)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    region = RegionField(required=False, allow_null=True)
    is_default = serializers.BooleanField(required=False)


class CustomerInput(InputModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(Unit)
    responsible = ScopedPrimaryKeyRelatedField(User, required=False, allow_null=True)
    tags = TextListField(
        child=serializers.CharField(max_length=60),
        required=False,
        max_length=50,
        help_text="Tag names; a name not in the directory yet is added to it.",
    )
    contacts = ContactInput(many=True, required=False, max_length=50)
    phones = PhoneInput(many=True, required=False, max_length=50)
    emails = TextListField(
        child=serializers.EmailField(max_length=254), required=False, max_length=50
    )
    addresses = AddressInput(many=True, required=False, max_length=50)

    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "code",
            "tax_number",
            "unit",
            "responsible",
            "notes",
            "is_active",
            "tags",
            "contacts",
            "phones",
            "emails",
            "addresses",
        ]


class MergeInput(InputSerializer):
    duplicate = ScopedPrimaryKeyRelatedField(
        Customer, help_text="The customer folded into this one and then removed."
    )


# --- endpoints -------------------------------------------------------------------------------


class HasRequiredPermission(BasePermission):
    """The view's `permission_required`, from the caller's position."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


@extend_schema_view(
    list=extend_schema(
        summary="List customers", responses={200: CustomerOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(
        summary="A customer's card", responses={200: CustomerOutput, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Register a customer",
        request=CustomerInput,
        responses={201: CustomerOutput, **ERROR_RESPONSES},
    ),
    update=extend_schema(
        summary="Change a customer",
        request=CustomerInput,
        responses={200: CustomerOutput, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a customer",
        request=CustomerInput,
        responses={200: CustomerOutput, **ERROR_RESPONSES},
    ),
)
class CustomerViewSet(ScopedWriteViewSet):
    model = Customer
    queryset = Customer.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = CustomerOutput
    input_serializer_class = CustomerInput
    filterset_class = CustomerFilter
    ordering_fields = ["name", "code", "created_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customer_card(self.request.user)

    def _card(self, customer: Customer) -> Customer:
        return self.get_queryset().get(pk=customer.pk)

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return self._card(services.customer_create(user=self.request.user, **data))

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        customer = services.customer_update(customer=instance, user=self.request.user, **data)
        return self._card(customer)

    @extend_schema(
        summary="Possible duplicates of a customer",
        description="Customers you see that share a phone, an e-mail or the tax number.",
        responses={200: DuplicateOutput(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        found = selectors.possible_duplicates(customer, request.user)
        return Response(DuplicateOutput(found, many=True).data)


class CustomerMergeView(APIView):
    """Fold a duplicate into this customer (customers.services.customer_merge)."""

    permission_classes = [HasRequiredPermission]
    parser_classes = [JSONParser]
    permission_required = "customers.merge_customer"
    model = Customer

    @extend_schema(
        summary="Merge a duplicate into a customer",
        description=(
            "Everything recorded on the duplicate moves to this customer; the duplicate is "
            "removed and a merge record keeps a snapshot of it. Answers with the kept card."
        ),
        request=MergeInput,
        responses={200: CustomerOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        cards = selectors.customer_card(request.user)
        survivor = get_object_or_404(cards, pk=pk)
        data = MergeInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.customer_merge(
            survivor=survivor, duplicate=data.validated_data["duplicate"], user=request.user
        )
        return Response(CustomerOutput(cards.get(pk=pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List customer tags", responses={200: TagOutput(many=True), **ERROR_RESPONSES}
    )
)
class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tags in use on customers (read-only: tags are added by naming them on a card)."""

    model = Tag
    queryset = Tag.objects.none()
    serializer_class = TagOutput
    parser_classes = [JSONParser]
    permission_classes = [HasRequiredPermission]
    permission_required = "customers.view_customer"
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Tag]:
        return Tag.objects.visible_to(self.request.user)


ROUTES = [
    ("customers", CustomerViewSet, "customer"),
    ("customer-tags", TagViewSet, "customer-tag"),
]
URLS = [path("customers/<int:pk>/merge/", CustomerMergeView.as_view(), name="customer_merge")]

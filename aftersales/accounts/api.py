from django.conf import settings
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts import services
from aftersales.accounts.filters import PositionFilter, UserFilter
from aftersales.accounts.models import PERSON_FIELDS, Position, User
from aftersales.api.fields import InputModelSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet, ScopedWriteViewSet
from aftersales.organisation.models import Unit


class PositionOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "code", "name", "description", "is_system", "permissions"]

    def get_permissions(self, position: Position) -> list[str]:
        return sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in position.permissions.all()
        )


class UserOutput(serializers.ModelSerializer):
    additional_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", *PERSON_FIELDS]


class UserInput(InputModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(Unit)
    additional_units = ScopedPrimaryKeyRelatedField(Unit, many=True, required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    preferred_language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], required=False, allow_blank=True
    )
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [*PERSON_FIELDS, "password"]

    def validate_password(self, value: str) -> str:
        if value:
            from django.contrib.auth import password_validation

            password_validation.validate_password(value, self.instance)
        return value


@extend_schema_view(
    list=extend_schema(
        summary="List people", responses={200: UserOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(summary="A person", responses={200: UserOutput, **ERROR_RESPONSES}),
    create=extend_schema(
        summary="Add a person", request=UserInput, responses={201: UserOutput, **ERROR_RESPONSES}
    ),
    update=extend_schema(
        summary="Change a person", request=UserInput, responses={200: UserOutput, **ERROR_RESPONSES}
    ),
    partial_update=extend_schema(
        summary="Change some fields of a person",
        request=UserInput,
        responses={200: UserOutput, **ERROR_RESPONSES},
    ),
)
class UserViewSet(ScopedWriteViewSet):
    model = User
    queryset = User.objects.none()
    output_serializer_class = UserOutput
    input_serializer_class = UserInput
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name"]
    ordering = ["username"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().prefetch_related("additional_units")

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.user_create(password=data.pop("password", None), **data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        password = data.pop("password", None)
        user = services.user_update(user=instance, **data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


@extend_schema_view(
    list=extend_schema(
        summary="List positions", responses={200: PositionOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(
        summary="A position", responses={200: PositionOutput, **ERROR_RESPONSES}
    ),
)
class PositionViewSet(ScopedReadViewSet):
    model = Position
    queryset = Position.objects.none()
    output_serializer_class = PositionOutput
    filterset_class = PositionFilter
    ordering = ["code"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().prefetch_related("permissions__content_type")


class MeOutput(UserOutput):
    permissions = serializers.SerializerMethodField()

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "permissions"]

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.get_all_permissions())


class MeView(APIView):
    """The caller: who they are, their unit and position, and what they may do."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The authenticated user", responses={200: MeOutput, **ERROR_RESPONSES})
    def get(self, request):  # type: ignore[no-untyped-def]
        return Response(MeOutput(request.user).data)


ROUTES = [("users", UserViewSet, "user"), ("positions", PositionViewSet, "position")]
URLS = [path("me/", MeView.as_view(), name="me")]

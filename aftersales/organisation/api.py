from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from aftersales.api.fields import InputModelSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedWriteViewSet
from aftersales.calendars.models import BusinessCalendar
from aftersales.organisation import services
from aftersales.organisation.filters import UnitFilter
from aftersales.organisation.models import Unit


class UnitOutput(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "ownership",
            "parent",
            "depth",
            "address",
            "phones",
            "email",
            "timezone",
            "calendar",
            "is_active",
        ]

    def get_parent(self, unit: Unit) -> int | None:
        # The parent's id from the materialised path, without a query per row.
        parents = self.context.get("parent_ids")
        if parents is not None:
            return parents.get(unit.path[:-4])
        parent = Unit.objects.get_parent(unit)
        return parent.pk if parent else None


class UnitInput(InputModelSerializer):
    # Required, as in the HTML form: a new unit goes under a unit the caller can see. Without a
    # parent it would become a new headquarters, outside the caller's subtree.
    parent = ScopedPrimaryKeyRelatedField(Unit)
    calendar = ScopedPrimaryKeyRelatedField(BusinessCalendar, required=False, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "name",
            "code",
            "kind",
            "ownership",
            "parent",
            "address",
            "phones",
            "email",
            "timezone",
            "calendar",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields.pop("parent", None)  # moving a unit in the tree is not an edit


class UnitChangeInput(UnitInput):
    """What an update reads (UnitInput with an instance): the unit's own fields, no parent."""

    parent = None

    class Meta(UnitInput.Meta):
        fields = [name for name in UnitInput.Meta.fields if name != "parent"]


@extend_schema_view(
    list=extend_schema(
        summary="List units", responses={200: UnitOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(summary="A unit", responses={200: UnitOutput, **ERROR_RESPONSES}),
    create=extend_schema(
        summary="Add a unit", request=UnitInput, responses={201: UnitOutput, **ERROR_RESPONSES}
    ),
    update=extend_schema(
        summary="Change a unit",
        request=UnitChangeInput,
        responses={200: UnitOutput, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a unit",
        request=UnitChangeInput,
        responses={200: UnitOutput, **ERROR_RESPONSES},
    ),
)
class UnitViewSet(ScopedWriteViewSet):
    model = Unit
    queryset = Unit.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = UnitOutput
    input_serializer_class = UnitInput
    filterset_class = UnitFilter
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page is not None:
            paths = {unit.path[:-4] for unit in page if unit.depth > 1}
            context["parent_ids"] = dict(
                Unit.objects.filter(path__in=paths).values_list("path", "pk")
            )
        return context

    def paginate_queryset(self, queryset):  # type: ignore[no-untyped-def]
        self._page = super().paginate_queryset(queryset)
        return self._page

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.unit_create(parent=data.pop("parent"), **data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.unit_update(unit=instance, **data)


ROUTES = [("units", UnitViewSet, "unit")]

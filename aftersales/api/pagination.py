from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """`page` and `page_size` as the schema declares them: whole numbers from 1. A page size
    that is not one is refused (400) rather than silently replaced by the default; one above
    `max_page_size` is capped, as the description says."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):  # type: ignore[no-untyped-def]
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent, or empty as a form sends it
            return self.page_size
        try:
            size = serializers.IntegerField(min_value=1).run_validation(raw)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.page_size_query_param: error.detail}) from error
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):  # type: ignore[no-untyped-def]
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page (at most {self.max_page_size}: "
                    "a larger number is capped)."
                )
        return parameters

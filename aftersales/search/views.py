"""The search page: one box, and either the customer's card (one match) or the matches."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from aftersales.core.views import PositionPermissionMixin
from aftersales.search.selectors import MAX_QUERY_LENGTH, SearchHit, one_box_search, with_phones

# Matches listed on the page; one more is fetched to know that there are more.
PAGE_LIMIT = 20


def card_url(customer_pk: int) -> str:
    """The customer card (the customers app); "" while that page does not exist."""
    try:
        return reverse("customers:customer_detail", args=[customer_pk])
    except NoReverseMatch:
        return ""


class SearchView(PositionPermissionMixin, View):
    permission_required = "customers.view_customer"
    model = None  # no <pk>: the access matrix opens the page as it is
    template_name = "search/results.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")
        hits: list[SearchHit] = []
        error = ""
        try:
            hits = one_box_search(request.user, query, limit=PAGE_LIMIT + 1)
        except ValidationError as exc:
            error = " ".join(exc.message_dict.get("q", exc.messages))
        more = len(hits) > PAGE_LIMIT
        hits = hits[:PAGE_LIMIT]
        if len(hits) == 1 and not more:
            url = card_url(hits[0].customer.pk)
            if url:
                return redirect(url)
        with_phones(hits)
        context: dict[str, Any] = {
            "query": query[:MAX_QUERY_LENGTH],
            "search_query": query[:MAX_QUERY_LENGTH],
            "searched": bool(query.strip()),
            "error": error,
            "rows": [(hit, card_url(hit.customer.pk)) for hit in hits],
            "more": more,
            "limit": PAGE_LIMIT,
        }
        return render(request, self.template_name, context, status=400 if error else 200)

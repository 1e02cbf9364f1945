"""Reads about customers."""

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from aftersales.customers.models import Customer
from aftersales.customers.search_text import query_tokens


def _is_prefix_token(token: str) -> bool:
    # Han tokens are whole (bigrams or single characters); other words match as prefixes.
    return not ("\u3400" <= token[0] <= "\ufaff")


def matching_text(queryset: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Customers whose names, contacts or addresses contain every word of `query`, through the
    database's index on the search column. Tokens are letters and digits only and travel as a
    bound parameter, so nothing the user types reaches the SQL text."""
    tokens = query_tokens(query)
    if not tokens:
        return queryset.none()
    table = Customer._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = " & ".join(
            f"'{token}':*" if _is_prefix_token(token) else f"'{token}'" for token in tokens
        )
        condition = RawSQL(
            f"array_to_tsvector(string_to_array({table}.search_text, ' ')) @@ %s::tsquery",
            [tsquery],
            output_field=BooleanField(),
        )
    else:
        match = " ".join(
            f'"{token}"*' if _is_prefix_token(token) else f'"{token}"' for token in tokens
        )
        condition = RawSQL(
            f"{table}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)",
            [match],
            output_field=BooleanField(),
        )
    return queryset.filter(condition)

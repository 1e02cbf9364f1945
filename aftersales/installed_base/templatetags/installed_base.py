"""Links from installed-base pages to records of other apps, without importing their views."""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from aftersales.installed_base.selectors import WarrantyStatus, warranty_status

register = template.Library()


@register.filter
def customer_url(customer: Any) -> str:
    """The customer card's address, or "" while the customers app has no card page."""
    get_url = getattr(customer, "get_absolute_url", None)
    if get_url is not None:
        return str(get_url())
    try:
        return reverse("customers:customer_detail", args=[customer.pk])
    except NoReverseMatch:
        return ""


@register.filter
def warranty_on(product: Any, on_date: Any) -> WarrantyStatus:
    """`{{ product|warranty_on:today }}`: the product's warranty status on a date."""
    return warranty_status(product, on_date)

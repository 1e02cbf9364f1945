import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.installed_base.models import InstalledProduct
from aftersales.installed_base.selectors import (
    WarrantyState,
    add_months,
    is_in_warranty,
    warranty_end_for,
    warranty_state_q,
    warranty_status,
)
from aftersales.installed_base.tests.factories import make_installed_product

D = datetime.date


def product(purchase, end, extended=None) -> InstalledProduct:  # type: ignore[no-untyped-def]
    return InstalledProduct(
        purchase_date=purchase, warranty_end=end, extended_warranty_end=extended
    )


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day has no anniversary next year
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 3, 31), 6, D(2026, 9, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
        (D(2026, 8, 31), 30, D(2029, 2, 28)),
    ],
)
def test_calendar_months_end_on_the_month_end_when_the_day_is_missing(start, months, end):
    assert add_months(start, months) == end


@given(st.dates(max_value=D(9000, 1, 1)), st.integers(min_value=0, max_value=240))
def test_adding_months_keeps_the_day_or_lands_on_the_last_day(start, months):
    end = add_months(start, months)
    assert (end.year - start.year) * 12 + end.month - start.month == months
    next_day = end + datetime.timedelta(days=1)
    assert end.day == start.day or (end.day < start.day and next_day.month != end.month)


def test_the_sale_months_win_over_the_model_standard():
    assert warranty_end_for(D(2026, 1, 31), None, 12) == D(2027, 1, 31)
    assert warranty_end_for(D(2026, 1, 31), 1, 12) == D(2026, 2, 28)
    assert warranty_end_for(None, 6, 12) is None


def test_a_product_is_covered_from_purchase_to_the_warranty_end_included():
    item = product(D(2026, 3, 1), D(2027, 3, 1))
    assert warranty_status(item, D(2026, 3, 1)).state == WarrantyState.IN_WARRANTY
    assert warranty_status(item, D(2027, 3, 1)).state == WarrantyState.IN_WARRANTY
    assert warranty_status(item, D(2027, 3, 2)).state == WarrantyState.EXPIRED
    assert warranty_status(item, D(2026, 2, 28)).state == WarrantyState.BEFORE_PURCHASE
    assert is_in_warranty(item, D(2026, 12, 31))
    assert not is_in_warranty(item, D(2027, 3, 2))
    assert not is_in_warranty(item, D(2026, 2, 28))


def test_an_extended_warranty_counts_as_in_warranty():
    item = product(D(2026, 3, 1), D(2027, 3, 1), extended=D(2028, 3, 1))
    status = warranty_status(item, D(2027, 6, 1))
    assert status.state == WarrantyState.EXTENDED
    assert status.is_in_warranty and is_in_warranty(item, D(2028, 3, 1))
    assert status.covered_until == D(2028, 3, 1)
    assert warranty_status(item, D(2028, 3, 2)).state == WarrantyState.EXPIRED
    assert warranty_status(item, D(2026, 6, 1)).state == WarrantyState.IN_WARRANTY


def test_without_a_purchase_date_the_warranty_is_unknown_and_not_covered():
    status = warranty_status(product(None, None), D(2026, 6, 1))
    assert status.state == WarrantyState.UNKNOWN
    assert not status.is_in_warranty and status.covered_until is None


@pytest.mark.django_db
def test_the_list_filter_agrees_with_warranty_status(shop):
    on = D(2026, 6, 1)
    made = [
        make_installed_product(shop.alice, purchase_date=D(2025, 1, 1), warranty_end=D(2026, 1, 1)),
        make_installed_product(shop.alice, purchase_date=D(2026, 1, 1), warranty_end=D(2027, 1, 1)),
        make_installed_product(
            shop.alice,
            purchase_date=D(2024, 1, 1),
            warranty_end=D(2025, 1, 1),
            extended_warranty_end=D(2027, 1, 1),
        ),
        make_installed_product(
            shop.alice,
            purchase_date=D(2023, 1, 1),
            warranty_end=D(2024, 1, 1),
            extended_warranty_end=D(2025, 1, 1),
        ),
        make_installed_product(shop.alice, purchase_date=None, warranty_end=None),
    ]
    for state in WarrantyState.values:
        matched = set(InstalledProduct.objects.filter(warranty_state_q(state, on)))
        assert matched == {p for p in made if warranty_status(p, on).state == state}, state

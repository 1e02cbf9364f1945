import pytest
from django.core.exceptions import ValidationError

from aftersales.customers.phones import candidates, display, normalise


@pytest.mark.parametrize(
    "typed",
    ["138 0013 8000", "13800138000", "+86 138-0013-8000", "008613800138000", "(+86) 138 0013 8000"],
)
def test_a_chinese_mobile_typed_any_way_is_one_number(typed):
    assert normalise(typed) == "+8613800138000"


@pytest.mark.parametrize("typed", ["8 (912) 345-67-89", "+7 912 345 67 89", "+7 (912) 345-67-89"])
def test_a_russian_mobile_with_the_trunk_8_or_the_country_code(typed):
    assert normalise(typed) == "+79123456789"


def test_hong_kong_and_taiwan_numbers_are_read_in_their_regions():
    assert normalise("+852 9123 4567") == "+85291234567"
    assert normalise("9123 4567") == "+85291234567"  # not valid in CN or RU: HK comes next
    assert normalise("+886 912 345 678") == "+886912345678"
    assert normalise("0912 345 678") == "+886912345678"


@pytest.mark.parametrize("junk", ["abc", "12", "", "   ", "+1", "1" * 60, "138 0013 800", "电话"])
def test_junk_is_refused_with_a_clear_message(junk):
    with pytest.raises(ValidationError) as caught:
        normalise(junk)
    assert caught.value.code == "invalid_phone"
    assert "not a valid phone number" in caught.value.messages[0]
    assert candidates(junk) == []


def test_display_is_the_international_format():
    assert display("+8613800138000") == "+86 138 0013 8000"
    assert display("+79123456789") == "+7 912 345-67-89"
    assert display("not a number") == "not a number"

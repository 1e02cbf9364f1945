"""A request type's questions: the next question depends on the last answer, hidden answers are
dropped, every answer is checked by its kind. Pure functions: no database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from aftersales.service_requests.models import FieldKind, RequestTypeField
from aftersales.service_requests.questions import clean_answers, shown_fields


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def question(pk: int, key: str, kind: str = FieldKind.TEXT, **fields) -> RequestTypeField:  # type: ignore[no-untyped-def]
    """A question as loaded from the database (it has a pk), without one."""
    parent = fields.pop("show_if", None)
    return RequestTypeField(
        pk=pk,
        key=key,
        label=key.replace("_", " ").capitalize(),
        kind=kind,
        show_if_field_id=parent.pk if parent else None,
        **fields,
    )


@pytest.fixture
def air_conditioner_questions() -> list[RequestTypeField]:
    """Installed? → (yes) Who installed it? → (a dealer) Which dealer? — two levels deep."""
    installed = question(1, "installed", FieldKind.CHOICE, choices="Yes\nNo", required=True)
    installer = question(
        2,
        "installer",
        FieldKind.CHOICE,
        choices="Ourselves\nA dealer",
        required=True,
        show_if=installed,
        show_if_values="Yes",
    )
    dealer = question(
        3, "dealer", required=True, show_if=installer, show_if_values="A dealer\nA shop"
    )
    model = question(4, "model")
    return [installed, installer, dealer, model]


def keys(fields: list[RequestTypeField]) -> list[str]:
    return [field.key for field in fields]


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({}, ["installed", "model"]),
        ({"installed": "No"}, ["installed", "model"]),
        ({"installed": "Yes"}, ["installed", "installer", "model"]),
        ({"installed": " Yes ", "installer": "Ourselves"}, ["installed", "installer", "model"]),
        (
            {"installed": "Yes", "installer": "A dealer"},
            ["installed", "installer", "dealer", "model"],
        ),
        # The second level hangs on the first: "a dealer" means nothing once "installed" is No.
        ({"installed": "No", "installer": "A dealer"}, ["installed", "model"]),
    ],
)
def test_the_next_question_depends_on_the_last_answer(air_conditioner_questions, answers, shown):
    assert keys(shown_fields(air_conditioner_questions, answers)) == shown


def test_answers_to_hidden_and_unknown_questions_are_dropped(air_conditioner_questions):
    cleaned = clean_answers(
        air_conditioner_questions,
        {
            "installed": "No",
            "installer": "A dealer",
            "dealer": "Best Buy",
            "colour": "white",
            "model": "  KFR-35  ",
        },
    )
    assert cleaned == {"installed": "No", "model": "KFR-35"}


def test_required_questions_are_required_only_when_shown(air_conditioner_questions):
    with pytest.raises(ValidationError) as refused:
        clean_answers(air_conditioner_questions, {"installed": "Yes", "installer": "A dealer"})
    assert refused.value.message_dict == {"dealer": ["Answer this question."]}

    with pytest.raises(ValidationError) as refused:
        clean_answers(air_conditioner_questions, {})
    assert refused.value.message_dict == {"installed": ["Answer this question."]}

    assert clean_answers(air_conditioner_questions, {"installed": "No"}) == {"installed": "No"}


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("42", "42"),
        (" 3,50 ", "3.5"),
        ("1 000", "1000"),
        ("-0.25", "-0.25"),
        ("1e3", "1000"),
        (7, "7"),
        ("", None),
    ],
)
def test_numbers_are_read_leniently_and_stored_plainly(raw, cleaned):
    count = question(1, "count", FieldKind.NUMBER)
    assert clean_answers([count], {"count": raw}).get("count") == cleaned


@pytest.mark.parametrize("raw", ["many", "1,000.5", "NaN", "Infinity", "1e20", "--1"])
def test_what_is_not_a_number_is_refused(raw):
    count = question(1, "count", FieldKind.NUMBER)
    with pytest.raises(ValidationError) as refused:
        clean_answers([count], {"count": raw})
    assert refused.value.message_dict == {"count": ["Enter a number."]}


def test_dates_are_iso_dates():
    bought = question(1, "bought", FieldKind.DATE)
    assert clean_answers([bought], {"bought": " 2024-02-29 "}) == {"bought": "2024-02-29"}
    for raw in ("29.02.2024", "2023-02-29", "yesterday"):
        with pytest.raises(ValidationError) as refused:
            clean_answers([bought], {"bought": raw})
        assert refused.value.message_dict == {"bought": ["Enter a date as YYYY-MM-DD."]}


def test_a_choice_must_be_one_of_the_offered_answers():
    colour = question(1, "colour", FieldKind.CHOICE, choices=" White \n\nBlack\n")
    assert colour.choice_list == ["White", "Black"]
    assert clean_answers([colour], {"colour": "Black"}) == {"colour": "Black"}
    with pytest.raises(ValidationError) as refused:
        clean_answers([colour], {"colour": "Red"})
    assert refused.value.message_dict == {"colour": ["Choose one of the offered answers."]}


def test_texts_have_a_length_limit():
    note = question(1, "note", FieldKind.TEXT)
    story = question(2, "story", FieldKind.LONG_TEXT)
    assert clean_answers([note, story], {"note": "x" * 500, "story": "y" * 10_000}) == {
        "note": "x" * 500,
        "story": "y" * 10_000,
    }
    with pytest.raises(ValidationError) as refused:
        clean_answers([note, story], {"note": "x" * 501, "story": "y" * 10_001})
    assert refused.value.message_dict == {
        "note": ["At most 500 characters."],
        "story": ["At most 10000 characters."],
    }


def test_every_bad_answer_is_reported_at_once():
    count = question(1, "count", FieldKind.NUMBER, required=True)
    bought = question(2, "bought", FieldKind.DATE)
    with pytest.raises(ValidationError) as refused:
        clean_answers([count, bought], {"bought": "soon"})
    assert set(refused.value.message_dict) == {"count", "bought"}


def test_a_file_question_is_answered_by_a_file():
    receipt = question(1, "receipt", FieldKind.FILE, required=True)
    with pytest.raises(ValidationError) as refused:
        clean_answers([receipt], {"receipt": "receipt.pdf"})
    assert refused.value.message_dict == {"receipt": ["Attach a file."]}
    # The file itself travels as an attachment, not as an answer.
    assert clean_answers([receipt], {}, {"receipt"}) == {}


def test_a_cyclic_condition_hides_the_questions_instead_of_looping():
    first = question(1, "first", show_if_values="x")
    second = question(2, "second", show_if=first, show_if_values="x")
    first.show_if_field_id = second.pk
    itself = question(3, "itself", show_if_values="x")
    itself.show_if_field_id = itself.pk
    free = question(4, "free", required=True)
    fields = [first, second, itself, free]

    assert keys(shown_fields(fields, {"first": "x", "second": "x", "itself": "x"})) == ["free"]
    assert clean_answers(fields, {"first": "x", "second": "x", "free": "ok"}) == {"free": "ok"}


def test_a_condition_on_a_question_of_another_type_hides_the_question():
    orphan = question(1, "orphan", required=True, show_if_values="x")
    orphan.show_if_field_id = 99
    assert shown_fields([orphan], {"orphan": "x"}) == []

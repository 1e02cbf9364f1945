"""Schemathesis fuzzes every operation of the API, in-process, with all of its checks.

The Django WSGI application is called directly (no server), inside the pytest-django test
database, as two identities that must not see each other's records: administrators of the
sibling outlets A and B, each with a user, a calendar (and whatever else the apps' scoped
factories make) in their own outlet. Schemathesis's engine runs all its phases (examples,
coverage, fuzzing, stateful sequences built from links it infers) and every check, including
`object_level_authorization`, which replays A's reads of A's records as B.

Reproducible and bounded: a fixed seed with derandomised generation, no example database
(nothing is written into the repository), 100 examples per operation under CI=true and 25
otherwise, and a wall-clock budget after which the engine is stopped.

A failure lists, per operation and check, the first failing request as a curl command with the
status and the start of the body. To run only this: `pytest tests/fuzz -p no:cacheprovider`.
"""

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.apps import apps as django_apps
from django.db import connection, models
from django.db import connections as db_connections
from schemathesis.core.result import Ok
from schemathesis.engine import events, from_schema
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.wsgi import WSGITransport

from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import load_all_factories

CI = os.environ.get("CI") == "true"
MAX_EXAMPLES = 50 if CI else 20
# Seconds per operation after which the engine is stopped (the API grows, so the budget grows
# with it). A whole run takes well under this on two cores; on a slow machine the run is cut
# short in the late phases (fuzzing, stateful), after every operation has had its coverage
# cases, and what was found until then is still reported.
SECONDS_PER_OPERATION = 6 if CI else 3
# Another seed explores other inputs: FUZZ_SEED=1234 pytest tests/fuzz
SEED = int(os.environ.get("FUZZ_SEED", "20250917"))
SCHEMA_PATH = "/api/v1/openapi.json"
PEERS = ("outlet_a_admin", "outlet_b_admin")

# Rules of the domain that a JSON schema cannot state: uniqueness, links that must point at an
# existing record in the caller's subtree, where a unit may stand in the tree, password strength.
# `positive_data_acceptance` fails when schema-valid input is refused. On these operations a 400
# is accepted when every field it names is one of these; a 400 about any other field, or any
# other refusal (but a reused Idempotency-Key, below), still fails.
UNIT_CHANGE_RULES = {
    "code": "unique",
    "kind": "must still fit under the parent and over the children",
    "parent": "the parent's kind must hold the new kind (reported on `parent`)",
    "calendar": "an existing calendar the caller sees",
}
USER_RULES = {
    "username": "unique",
    "unit": "an existing unit the caller sees",
    "additional_units": "existing units the caller sees",
    "position": "an existing position",
    "password": "Django's password validators (length, similarity, common, numeric)",
}
PRODUCT_RULES = {
    "model": "an existing product model",
    "batch": "an existing batch of the product's model",
    "serial": "unique per model once normalised (at most 64 characters then)",
    "purchase_date": "not in the future",
    "extended_warranty_end": "not before the warranty end (needs a purchase date)",
}
# Customers (aftersales.customers): typed phones must be real numbers, Django's e-mail validator,
# each number and e-mail once per card, one main contact and address, regions the caller may name.
CUSTOMER_RULES = {
    "code": "unique",
    "unit": "an existing unit the caller sees",
    "responsible": "an active person the caller sees",
    "tags": "non-blank names",
    "contacts": "valid phones and e-mails, each once per card; one main contact",
    "phones": "valid phone numbers, each once per card",
    "emails": "Django's e-mail validator, each once per card",
    "addresses": "a region the caller may name; one main address",
}
CONTRACT_RULES = {
    "number": "unique across units",
    "valid_to": "not before valid_from",
}
BUSINESS_RULE_FIELDS: dict[str, dict[str, str]] = {
    "GET /api/v1/users/": {
        "position": "filter by an existing position",
        "unit": "filter by a unit the caller sees",
    },
    "POST /api/v1/units/": {
        "code": "unique",
        "parent": "an existing unit the caller sees, whose kind may hold the new unit's kind",
        "calendar": "an existing calendar the caller sees",
    },
    "PUT /api/v1/units/{id}/": UNIT_CHANGE_RULES,
    "PATCH /api/v1/units/{id}/": UNIT_CHANGE_RULES,
    "POST /api/v1/units/{id}/deadline/": {
        "start": "within the calendar's supported years (1950-2100)",
        "minutes": "the unit's calendar must have working time to count",
    },
    "POST /api/v1/users/": USER_RULES,
    "PUT /api/v1/users/{id}/": USER_RULES,
    "PATCH /api/v1/users/{id}/": USER_RULES,
    "GET /api/v1/customers/": {
        "unit": "filter by a unit the caller sees",
        "responsible": "filter by a person the caller sees",
        "tag": "filter by an existing tag",
    },
    "POST /api/v1/customers/": CUSTOMER_RULES,
    "PUT /api/v1/customers/{id}/": CUSTOMER_RULES,
    "PATCH /api/v1/customers/{id}/": CUSTOMER_RULES,
    "POST /api/v1/customers/{id}/merge/": {"duplicate": "another customer the caller sees"},
    "GET /api/v1/products/": {
        "model": "filter by an existing model",
        "category": "filter by an existing category",
        "unit": "filter by a unit the caller sees",
        "customer": "filter by a customer the caller sees",
    },
    "POST /api/v1/products/": {"customer": "a customer the caller sees", **PRODUCT_RULES},
    "PUT /api/v1/products/{id}/": PRODUCT_RULES,
    "PATCH /api/v1/products/{id}/": PRODUCT_RULES,
    "POST /api/v1/products/{id}/transfer/": {
        "new_owner": "another customer the caller sees than the current owner",
        "changed_on": "not in the future, not before the purchase or the previous change",
    },
    # Service requests (aftersales.service_requests): the type's questions and lifecycle.
    "GET /api/v1/requests/": {
        "responsible": "filter by a person the caller sees",
        "request_type": "filter by an existing type",
        "unit": "filter by a unit the caller sees",
    },
    "POST /api/v1/requests/": {
        "customer": "a customer the caller sees",
        "request_type": "an existing type still in use",
        "subject": "not blank once spaces are collapsed",
        "answers": "the type's questions: required ones answered, numbers, dates, offered choices",
        "contact": "a contact of the customer",
        "product": "a product of the customer",
    },
    "POST /api/v1/requests/{id}/transition/": {
        "to_status": "a status the request's type allows now (done needs a decision)",
        "reason": "required to cancel or reopen",
    },
    "POST /api/v1/requests/{id}/decide/": {
        "decision": "an existing, active decision of the request's type or a general one",
        "status": "the request's type must allow done from its status",
    },
    "POST /api/v1/requests/{id}/assign/": {
        "responsible": "an employee of the caller's units who may work on requests; open only",
        "executors": "employees who may work on requests",
        "reason": "required when the responsible changes",
    },
    # Service contracts (aftersales.contracts): a customer the caller sees, a unique number,
    # an end not before the start.
    "GET /api/v1/contracts/": {"unit": "filter by a unit the caller sees"},
    "POST /api/v1/contracts/": {"customer": "a customer the caller sees", **CONTRACT_RULES},
    "PUT /api/v1/contracts/{id}/": CONTRACT_RULES,
    "PATCH /api/v1/contracts/{id}/": CONTRACT_RULES,
    # Telephony: the exchange's call id must say something once surrounding spaces are trimmed.
    "POST /api/v1/telephony/calls": {"call_id": "not blank once trimmed"},
}


# The catalog (aftersales.catalog): unique codes, links to existing records, hierarchies without
# cycles, a parent code of the same category, a price for exactly one of a part or a labour item.
_CATALOG_CODES = {
    "code": "unique within the category (or among the general codes)",
    "category": "an existing category; codes below must be moved first",
    "parent": "an existing code of the same category, not below this one",
}
_CATALOG_WRITE_RULES = {
    "categories": {"code": "unique", "parent": "an existing category, not below this one"},
    "models": {"code": "unique", "category": "an existing category"},
    "batches": {"code": "unique per model", "model": "an existing model; a batch stays with it"},
    "parts": {
        "part_number": "unique",
        "name_en": "a name in at least one language (reported on name_en)",
        "compatible_models": "existing models",
    },
    "fault-codes": _CATALOG_CODES,
    "repair-codes": _CATALOG_CODES,
    "labour-items": {"code": "unique", "category": "an existing category"},
    "price-lists": {"code": "unique", "valid_to": "not before valid_from"},
    "price-list-items": {
        "price_list": "an existing price list; an item stays on its list",
        "part": "an existing part; exactly one of part and labour item, once per list",
        "labour_item": "an existing labour item; exactly one of part and labour item",
    },
}
_CATALOG_FILTERS = (
    "category",
    "parent",
    "model",
    "compatible_model",
    "price_list",
    "part",
    "labour_item",
)
for _name, _rules in _CATALOG_WRITE_RULES.items():
    BUSINESS_RULE_FIELDS[f"POST /api/v1/catalog/{_name}/"] = _rules
    BUSINESS_RULE_FIELDS[f"PUT /api/v1/catalog/{_name}/{{id}}/"] = _rules
    BUSINESS_RULE_FIELDS[f"PATCH /api/v1/catalog/{_name}/{{id}}/"] = _rules
    BUSINESS_RULE_FIELDS[f"GET /api/v1/catalog/{_name}/"] = {
        name: "filter by an existing record" for name in _CATALOG_FILTERS
    }

# Work orders (aftersales.work_orders): each step is allowed only in some states of the order
# (its kind's lifecycle, where the device is, whether a quote waits), and links must point at
# records the caller sees.
_WORK_ORDER = "POST /api/v1/work-orders/{id}/"
BUSINESS_RULE_FIELDS.update(
    {
        "GET /api/v1/work-orders/": {
            "unit": "filter by a unit the caller sees",
            "technician": "filter by a person the caller sees",
            "customer": "filter by a customer the caller sees",
        },
        "POST /api/v1/work-orders/": {
            "customer": "a customer the caller sees (or the request's)",
            "service_request": "a request of the customer the caller sees",
            "product": "a product of the customer",
            "unit": "a unit the caller sees",
            "technician": "a person the caller sees",
        },
        f"{_WORK_ORDER}transition/": {
            "to_status": "a status the order's kind allows now, not one owned by a step",
            "note": "required to cancel",
        },
        f"{_WORK_ORDER}assign/": {
            "technician": "an active person of the caller's units; open orders only",
            "reason": "required when the order had someone",
        },
        f"{_WORK_ORDER}diagnosis/": {
            "diagnosis": "open orders only",
            "fault_codes": "existing codes",
            "repair_codes": "existing codes",
            "product": "a product of the order's customer the caller sees",
        },
        f"{_WORK_ORDER}quote/": {
            "amount": "one quote waiting at once; open orders only",
            "status": "from diagnosis or repair (in the store), on site (in the field)",
        },
        f"{_WORK_ORDER}quote-answer/": {"approve": "a quote must be waiting, answered once"},
        f"{_WORK_ORDER}parts/": {
            "part": "an existing part that fits the product's model and is in stock",
            "quantity": "more than zero, at most what is in stock; whole units for pieces",
            "warehouse": "a warehouse the caller sees (or the unit's nearest)",
            "serial": "a serial of the part in that warehouse",
        },
        f"{_WORK_ORDER}parts/return/": {
            "line": "a part line of this order the caller sees",
            "quantity": "more than zero, at most what is still used",
        },
        f"{_WORK_ORDER}labour/": {
            "labour_item": "an existing labour item",
            "description": "a description or an item; open orders only",
            "amount": "an amount or an item",
        },
        f"{_WORK_ORDER}custody/": {
            "kind": "a step that follows where the device is; repairs only",
            "to_unit": "an existing unit other than the one holding the device",
        },
        f"{_WORK_ORDER}swap/": {"new_serial": "a product known, the device home, a new serial"},
        f"{_WORK_ORDER}signatures/": {
            "image": "a PNG drawing as a data URL",
            "kind": "each document signed once; open orders (but the hand-back)",
            "signer_name": "not blank once trimmed",
        },
        f"{_WORK_ORDER}sign-link/": {"non_field_errors": "field work, open orders only"},
        f"{_WORK_ORDER}rating/": {"rating": "rated once"},
        f"{_WORK_ORDER}complete/": {"status": "from ready (repair) or on site (field), signed"},
    }
)


# Stock (aftersales.stock): filters name records the caller sees; movements follow the ledger's
# rules (never below zero, serials where tracked, a cost on receipts); transfers go to another
# warehouse up the tree or within the sender's subtree and are received once, by the destination.
_STOCK_MOVEMENT_RULES = {
    "warehouse": "an active warehouse the caller sees",
    "part": "an existing active part",
    "quantity": "more than zero, not more than in stock; whole units for pieces",
    "counted_quantity": "a stock-take gives the counted quantity, not negative",
    "unit_cost": "a receipt gives its cost",
    "serials": "serial-tracked parts name one serial per unit, known in that warehouse",
    "condition": "a condition the movement kind allows",
}
BUSINESS_RULE_FIELDS.update(
    {
        "GET /api/v1/stock/warehouses/": {"unit": "filter by a unit the caller sees"},
        "GET /api/v1/stock/balances/": {
            "warehouse": "filter by a warehouse the caller sees",
            "part": "filter by an existing part",
        },
        "GET /api/v1/stock/movements/": {
            "warehouse": "filter by a warehouse the caller sees",
            "part": "filter by an existing part",
        },
        "GET /api/v1/stock/transfers/": {"warehouse": "filter by a warehouse the caller sees"},
        "POST /api/v1/stock/movements/": _STOCK_MOVEMENT_RULES,
        "POST /api/v1/stock/transfers/": {
            "source": "an active warehouse the caller sees",
            "destination": "another active warehouse up the tree or in the sender's subtree",
            "lines": "parts in stock at the source, more than zero, serials where tracked",
            "condition": "good or defective stock of the source",
        },
        "POST /api/v1/stock/transfers/{id}/receive/": {
            "non_field_errors": "in transit, received once, by the destination's people"
        },
        # Field service (aftersales.field_service): visits of open field orders, by active
        # engineers the caller sees, in a window that ends after it starts; each visit's steps
        # in order (arrive once, depart after arriving), by its own engineer.
        "GET /api/v1/field/engineers/": {"unit": "filter by a unit the caller sees"},
        "GET /api/v1/field/jobs/": {"unit": "filter by a unit the caller sees"},
        "GET /api/v1/field/visits/": {
            "unit": "filter by a unit the caller sees",
            "engineer": "filter by an engineer the caller sees",
            "work_order": "filter by an order the caller sees",
        },
        "POST /api/v1/field/visits/": {
            "work_order": "an open field order the caller sees",
            "engineer": "an active engineer of the caller's units",
            "window_start": "a window that ends after it starts",
            "window_end": "a window that ends after it starts",
        },
        "POST /api/v1/field/visits/{id}/arrive/": {
            "status": "a planned visit of the caller's own, arrived at once",
            "non_field_errors": "a planned visit of the caller's own, arrived at once",
        },
        "POST /api/v1/field/visits/{id}/depart/": {
            "non_field_errors": "after arriving, once; finishing needs the signed record",
            "status": "after arriving, once",
            "outcome": "finishing needs the signed service record",
        },
        "POST /api/v1/field/jobs/{id}/contact/": {
            "window_start": "both ends of the window or neither, the end after the start",
            "window_end": "both ends of the window or neither, the end after the start",
            "non_field_errors": "an open order, contacted once",
        },
    }
)


def _refused_by_a_business_rule(label: str, response: Any) -> bool:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    if response.status_code == 422:
        # The fuzzer draws Idempotency-Keys from a small space, so it sends one key with two
        # different bodies: the documented 422 (aftersales.api.idempotency).
        return error.get("code") == "idempotency_key_reused"
    allowed = BUSINESS_RULE_FIELDS.get(label, {})
    fields = error.get("fields") or {}
    return response.status_code == 400 and bool(fields) and set(fields) <= set(allowed)


@schemathesis.check
def positive_data_acceptance_beyond_business_rules(ctx, response, case):  # type: ignore[no-untyped-def]
    """Schemathesis's `positive_data_acceptance`, except for refusals by the rules above."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if _refused_by_a_business_rule(case.operation.label, response):
            return None
        raise


@dataclass
class Identity:
    name: str
    user_id: int
    key: str


def _auto_id_models() -> list[type[models.Model]]:
    return [
        model
        for config in django_apps.get_app_configs()
        if config.name.startswith("aftersales.")
        for model in config.get_models()
        if model._meta.managed
        and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
    ]


def _next_ids_from(first_id: int | None) -> None:
    """Make the next automatic id of every app table `first_id` (None: back to the start)."""
    with connection.cursor() as cursor:
        for model in _auto_id_models():
            table, column = model._meta.db_table, model._meta.pk.column
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                    [table, column, first_id or 1],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                if first_id:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table, first_id - 1],
                    )
            else:  # pragma: no cover
                raise NotImplementedError(connection.vendor)


@pytest.fixture
def identities(request) -> Iterator[list[Identity]]:  # type: ignore[no-untyped-def]
    """Administrators of the sibling outlets, each with an API token and the records every app's
    scoped factory makes in their outlet (a user, a calendar with its days, ...).

    Each outlet's records get ids of their own range (1 000 000 for the network, 2 000 000 for A,
    3 000 000 for B). `object_level_authorization` decides that B was not meant to see A's record
    #n when n appears nowhere in B's lists; a small n shows up there anyway (a count, a weekday,
    a parent), which would hide a leak."""
    _next_ids_from(1_000_000)
    network = request.getfixturevalue("network")
    makers = load_all_factories()
    found = []
    for index, (name, unit) in enumerate(
        zip(PEERS, (network.outlet_a, network.outlet_b), strict=True)
    ):
        _next_ids_from(2_000_000 + 1_000_000 * index)
        admin = make_user("administrator", unit)
        _token, key = api_token_create(user=admin, name="fuzz")
        for maker in makers.values():
            maker(unit)
        found.append(Identity(name=name, user_id=admin.pk, key=key))
    yield found
    _next_ids_from(None)  # the rows go with the flush; later tests count from 1 again


@pytest.fixture
def _wsgi_probes_drop_socket_options(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Work around schemathesis 4.32: the checks that replay a request with other credentials
    (`ignored_auth`, `object_level_authorization`) drop the session but keep socket-level
    options, which Werkzeug's test client refuses ("EnvironBuilder.__init__() got an unexpected
    keyword argument 'max_redirects'"). They mean nothing in-process, as schemathesis itself
    says when it strips them from calls that carry a session."""
    send = WSGITransport.send

    def without_socket_options(self, case, *, session=None, **kwargs):  # type: ignore[no-untyped-def]
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_options)


def _config(auth_document: Path) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # No `max-time`: with one, the engine keeps cycling until the time is spent.
            "workers": 1,
            "cache": {"enabled": False},  # nothing written under the repository; no replays
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # Django and DRF refuse NUL in every text input (PostgreSQL cannot store it), a
                # rule the schema cannot state for each string; this is schemathesis's switch.
                "allow-x00": False,
            },
            "checks": {
                # Every check is on; this one is replaced by the wrapper above.
                "positive_data_acceptance": {"enabled": False},
                # A generous ceiling: catches a runaway query pattern, not a slow machine.
                "max_response_time": 10.0,
            },
            "auth": {"wfc": {"path": str(auth_document), "peers": list(PEERS)}},
        }
    )


def _closing(application: Any) -> Any:
    """The app as a WSGI server runs it: the response is closed after each request (Django's
    `request_finished`), and so is the thread's database connection, whatever CONN_MAX_AGE says.
    Werkzeug's test client, which schemathesis calls the app through, leaves closing to its
    caller, and each of the engine's threads would keep a connection open: PostgreSQL then
    refuses to drop the test database."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response = application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
            db_connections.close_all()

    return app


def _load_schema(identities: list[Identity], tmp_path: Path) -> Any:
    from config.wsgi import application

    document = tmp_path / "identities.json"
    document.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": identity.name,
                        "fixedHeaders": [
                            {"name": "Authorization", "value": f"Bearer {identity.key}"}
                        ],
                    }
                    for identity in identities
                ]
            }
        )
    )
    schema = schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, _closing(application), config=_config(document)
    )
    own_accounts = {str(identity.user_id) for identity in identities}

    @schema.hook("filter_case")
    def leave_the_callers_own_accounts_alone(context, case: Case) -> bool:  # type: ignore[no-untyped-def]
        # A fuzzed write to the caller's own account (deactivate, demote, move) would lock the
        # identity out and turn the rest of the run into 401/403s that prove nothing. Every
        # other person, and every read, stays in.
        return not (
            case.method in {"PUT", "PATCH"}
            and case.operation.path == "/api/v1/users/{id}/"
            and str((case.path_parameters or {}).get("id")) in own_accounts
        )

    return schema


@dataclass
class Outcome:
    failures: dict[tuple[str, str, str], str]
    errors: list[str]
    exercised: set[str]
    checks_run: set[str]
    stopped_by_budget: bool
    seconds: float


def _describe_failure(recorder: Any, case_id: str, info: Any) -> str:
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    text = info.failure.message.strip()
    if response is not None:
        body = response.content[:400].decode("utf-8", "replace")
        text += f"\n-> {response.status_code} {body}"
    return f"{text}\n{info.code_sample}"


def _run(schema: Any, time_budget: float) -> Outcome:
    started = time.monotonic()
    stream = from_schema(schema).execute()
    out_of_time = threading.Event()

    def stop() -> None:
        out_of_time.set()
        stream.stop()

    budget = threading.Timer(time_budget, stop)
    budget.daemon = True
    budget.start()
    failures: dict[tuple[str, str, str], str] = {}
    errors: list[str] = []
    exercised: set[str] = set()
    checks_run: set[str] = set()
    try:
        for event in stream:
            if isinstance(event, events.ScenarioFinished):
                recorder = event.recorder
                if recorder.interactions:
                    exercised.update(node.value.operation.label for node in recorder.cases.values())
                for case_id, checks in recorder.checks.items():
                    for check in checks:
                        checks_run.add(check.name)
                        if check.failure_info is None:
                            continue
                        label = recorder.cases[case_id].value.operation.label
                        key = (label, check.name, check.failure_info.failure.title)
                        if key not in failures:
                            failures[key] = _describe_failure(recorder, case_id, check.failure_info)
            elif isinstance(event, events.NonFatalError):
                errors.append(f"{event.label}: {event.info.title}\n{event.info.message}")
            elif isinstance(event, events.FatalError):
                errors.append(f"fatal: {event.exception!r}")
            elif isinstance(event, events.EngineFinished):
                for failure in event.failures:
                    failures[("run", "after_run", failure.title)] = failure.message
    finally:
        budget.cancel()
    return Outcome(
        failures=failures,
        errors=errors,
        exercised=exercised,
        checks_run=checks_run,
        stopped_by_budget=out_of_time.is_set(),
        seconds=time.monotonic() - started,
    )


def _report(outcome: Outcome) -> Iterator[str]:
    for (label, check, title), description in sorted(outcome.failures.items()):
        yield f"=== {label} — {check}: {title}\n{description}"
    for error in outcome.errors:
        yield f"=== error\n{error}"


# Committed data: the engine calls the app from its own threads, each with its own connection.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_wsgi_probes_drop_socket_options")
def test_every_api_operation_survives_fuzzing(identities, tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = _load_schema(identities, tmp_path)
    operations = {
        result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)
    }
    outcome = _run(schema, max(150, SECONDS_PER_OPERATION * len(operations)))
    print(  # noqa: T201  (shown with -s, and on failure: what ran, and for how long)
        f"fuzzed {len(outcome.exercised)} operations in {outcome.seconds:.0f}s "
        f"(up to {MAX_EXAMPLES} examples each, seed {SEED}"
        f"{', cut short by the time budget' if outcome.stopped_by_budget else ''}); "
        f"checks: {', '.join(sorted(outcome.checks_run))}"
    )
    assert not outcome.failures and not outcome.errors, "\n\n".join(_report(outcome))
    assert outcome.exercised >= operations, f"never fuzzed: {operations - outcome.exercised}"

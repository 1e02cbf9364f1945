import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.demo.field_service import seed_field_service
from aftersales.field_service.models import Engineer, FieldJob, Visit

pytestmark = pytest.mark.django_db


def test_the_demo_has_engineers_and_todays_field_work_and_seeding_twice_adds_nothing():
    call_command("seed_demo", "--quiet-logins")
    assert Engineer.objects.count() == 2
    assert set(Visit.objects.values_list("status", flat=True)) == {"planned", "on_site"}
    # Whenever it is seeded, even at night, the planned visits are on today's board.
    planned = Visit.objects.filter(status="planned")
    assert {timezone.localdate(v.window_start) for v in planned} == {timezone.localdate()}
    assert FieldJob.objects.filter(contacted_at__isnull=True).count() == 2
    assert seed_field_service(User.objects.get(username="admin"), "x") == 0

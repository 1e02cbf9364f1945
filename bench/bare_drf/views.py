"""The bare registration view and its URL (see the package's docstring)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import path
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.service_requests import selectors
from aftersales.service_requests.models import Channel, ServiceRequest


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "customer",
            "request_type",
            "subject",
            "answers",
            "external_ref",
            "unit",
            "priority",
            "registered_at",
            "response_due_at",
            "resolution_due_at",
        ]
        read_only_fields = [
            "unit",
            "priority",
            "registered_at",
            "response_due_at",
            "resolution_due_at",
        ]


class Registration(APIView):
    def post(self, request: Request) -> Response:
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = serializer.validated_data["customer"]
        request_type = serializer.validated_data["request_type"]
        now = timezone.now()
        priority = request_type.default_priority
        policy = selectors.sla_policy_for(request_type, priority, "")
        due: dict[str, Any] = {}
        if policy is not None:
            unit = customer.unit
            due = {
                "response_due_at": selectors.deadline(unit, now, policy.response_minutes),
                "resolution_due_at": selectors.deadline(unit, now, policy.resolution_minutes),
            }
            due["due_at"] = due["response_due_at"]
        with transaction.atomic():
            serializer.save(
                unit_id=customer.unit_id,
                priority=priority,
                sla_policy=policy,
                channel=Channel.API,
                registered_at=now,
                registered_by=request.user,
                customer_language=customer.language,
                **due,
            )
        return Response(serializer.data, status=status.HTTP_201_CREATED)


urlpatterns = [path("api/v1/requests/", Registration.as_view())]

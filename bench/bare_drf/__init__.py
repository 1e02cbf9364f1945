"""The "bare Django + DRF view" of issue 4's registration figure, to measure on the machine at
hand what the issue measured elsewhere (412/s at 8 connections there).

The same request (`POST /api/v1/requests/` with the bench's body and bearer token) answered
the way a first version of the endpoint would be written: Django's `startproject` middleware,
a DRF `APIView`, token lookup through the ORM, a `ModelSerializer` validating the customer
and the type by primary key, the deadlines from the handling unit's calendar and the type's
SLA policy (the application's own functions, kept per process as the application keeps them),
and the row saved through the ORM in one transaction with its history record (the audit).
It leaves out what the application adds to a registration: the scope check, the questions,
assignment, the escalation row, the event, notifications and e-mails. So the ratio between
the two is what the application's own work and layers cost on top of a plain DRF create.

Served by the same gunicorn command as the application (`DJANGO_SETTINGS_MODULE=
bench.bare_drf.settings`, app `config.wsgi`) and driven by the same load generator.
"""

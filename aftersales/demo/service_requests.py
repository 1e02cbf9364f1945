"""Demo configuration of service requests, for seed_demo: skills, five request types with their
questions (the repair asks for the purchase receipt only when the product is said to be under
warranty), decisions, SLA policies and routing rules.

Written through the same services the settings pages use, so the demo obeys the same rules.
Everything is found again by its code or name on a second run, so seeding twice changes
nothing (a type's questions are added only when the type is new)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aftersales.accounts.models import User
from aftersales.organisation.models import Unit
from aftersales.service_requests import config_services
from aftersales.service_requests.config_services import MANDATORY_TRANSITIONS
from aftersales.service_requests.models import (
    DEFAULT_TRANSITIONS,
    Decision,
    DecisionOutcome,
    FieldKind,
    Priority,
    RequestType,
    RoutingRule,
    Skill,
    SlaPolicy,
    Status,
)

if TYPE_CHECKING:
    from aftersales.service_requests.models import RequestTypeField

# name, usernames of the demo people who have it (seed_demo's PEOPLE)
SKILLS = [
    ("空调 · Air conditioners", ["technician", "engineer"]),
    ("洗衣机 · Washing machines", ["technician"]),
    ("手机 · Mobile phones", ["technician", "reception"]),
    ("安装 · Installation", ["engineer", "dispatcher"]),
]

YES, NO, NOT_SURE = "是 · Yes", "否 · No", "不确定 · Not sure"
AT_HOME, AT_OUTLET = "上门维修 · At the customer's home", "送到网点 · At the outlet"

# A question: key, label, kind, {options}; options: required, choices (list), hint,
# show_if (key of an earlier question), values (list).
Question = tuple[str, str, str, dict[str, Any]]

# code, name, description, default priority, skill name or None, reopen days, questions
TYPES: list[tuple[str, str, str, int, str | None, int, list[Question]]] = [
    (
        "repair",
        "维修 · Repair",
        "产品出现故障，需要检修。 · The product is faulty and needs repairing.",
        Priority.NORMAL,
        None,
        14,
        [
            (
                "symptom",
                "故障现象 · What is wrong?",
                FieldKind.LONG_TEXT,
                {"required": True, "hint": "客户的原话 · In the customer's words"},
            ),
            ("since", "故障出现日期 · Since when?", FieldKind.DATE, {}),
            (
                "warranty",
                "产品是否在保修期内？ · Is the product under warranty?",
                FieldKind.CHOICE,
                {"required": True, "choices": [YES, NO, NOT_SURE]},
            ),
            (
                "receipt",
                "购买凭证 · Purchase receipt",
                FieldKind.FILE,
                {
                    "required": True,
                    "hint": "发票或收据的照片 · A photo of the invoice or receipt",
                    "show_if": "warranty",
                    "values": [YES],
                },
            ),
            (
                "purchase_date",
                "购买日期 · Purchase date",
                FieldKind.DATE,
                {"show_if": "warranty", "values": [YES, NOT_SURE]},
            ),
            (
                "where",
                "在哪里维修？ · Where should it be repaired?",
                FieldKind.CHOICE,
                {"required": True, "choices": [AT_HOME, AT_OUTLET]},
            ),
            (
                "visit_time",
                "方便上门的时间 · Convenient time for the visit",
                FieldKind.TEXT,
                {"required": True, "show_if": "where", "values": [AT_HOME]},
            ),
            ("photo", "故障照片 · Photo of the fault", FieldKind.FILE, {}),
        ],
    ),
    (
        "installation",
        "安装 · Installation",
        "新购产品的上门安装。 · Installing a newly bought product at the customer's.",
        Priority.NORMAL,
        "安装 · Installation",
        7,
        [
            ("model", "产品型号 · Product model", FieldKind.TEXT, {"required": True}),
            (
                "delivered",
                "产品是否已送达？ · Has the product been delivered?",
                FieldKind.CHOICE,
                {"required": True, "choices": [YES, NO]},
            ),
            (
                "delivery_date",
                "预计送达日期 · Expected delivery date",
                FieldKind.DATE,
                {"show_if": "delivered", "values": [NO]},
            ),
            ("preferred_date", "期望安装日期 · Preferred installation date", FieldKind.DATE, {}),
            ("floor", "楼层 · Floor", FieldKind.NUMBER, {}),
            (
                "wall",
                "安装墙体 · Wall to mount on",
                FieldKind.CHOICE,
                {"choices": ["砖墙 · Brick", "混凝土 · Concrete", "石膏板 · Plasterboard"]},
            ),
        ],
    ),
    (
        "consultation",
        "咨询 · Consultation",
        "使用、保养或服务方面的问题。 · A question about use, care or service.",
        Priority.LOW,
        None,
        7,
        [
            (
                "topic",
                "咨询主题 · Topic",
                FieldKind.CHOICE,
                {
                    "required": True,
                    "choices": [
                        "使用方法 · How to use",
                        "保养 · Care and maintenance",
                        "服务价格 · Service prices",
                        "其他 · Other",
                    ],
                },
            ),
            ("question", "客户的问题 · The customer's question", FieldKind.LONG_TEXT, {}),
        ],
    ),
    (
        "complaint",
        "投诉 · Complaint",
        "对服务或产品的投诉，由网点负责人处理。 · A complaint about service or a product.",
        Priority.HIGH,
        None,
        30,
        [
            (
                "about",
                "投诉对象 · What is the complaint about?",
                FieldKind.CHOICE,
                {
                    "required": True,
                    "choices": [
                        "服务质量 · Quality of service",
                        "产品质量 · Product quality",
                        "配件供应 · Spare parts",
                        "其他 · Other",
                    ],
                },
            ),
            (
                "earlier_request",
                "相关的服务单号 · Number of the earlier request",
                FieldKind.TEXT,
                {
                    "hint": "例如 R00001234 · e.g. R00001234",
                    "show_if": "about",
                    "values": ["服务质量 · Quality of service", "配件供应 · Spare parts"],
                },
            ),
            ("details", "投诉内容 · What happened", FieldKind.LONG_TEXT, {"required": True}),
            ("expectation", "客户的诉求 · What the customer expects", FieldKind.LONG_TEXT, {}),
        ],
    ),
    (
        "purchase",
        "购买咨询 · Purchase enquiry",
        "客户想购买产品或延保。 · The customer wants to buy a product or an extended warranty.",
        Priority.LOW,
        None,
        7,
        [
            (
                "interest",
                "感兴趣的产品 · Interested in",
                FieldKind.CHOICE,
                {
                    "required": True,
                    "choices": [
                        "空调 · Air conditioner",
                        "洗衣机 · Washing machine",
                        "手机 · Mobile phone",
                        "延长保修 · Extended warranty",
                    ],
                },
            ),
            ("quantity", "数量 · Quantity", FieldKind.NUMBER, {}),
            ("budget", "预算（元） · Budget (CNY)", FieldKind.NUMBER, {}),
            ("call_back", "方便回电的时间 · When to call back", FieldKind.TEXT, {}),
        ],
    ),
]

# A quick answer closes consultations and enquiries: done straight from registered.
EXTRA_TRANSITIONS = {
    "consultation": [(Status.REGISTERED, Status.DONE)],
    "purchase": [(Status.REGISTERED, Status.DONE)],
}

# type code or None (general), name, outcome, order
DECISIONS = [
    (None, "处理中 · In work", DecisionOutcome.ACCEPTED, 10),
    (
        None,
        "已拒绝：无法按期完成 · Declined: the deadline cannot be met",
        DecisionOutcome.DECLINED,
        80,
    ),
    (None, "已提供咨询 · Consultation given", DecisionOutcome.INFORMATION, 50),
    ("repair", "已修复 · Repaired", DecisionOutcome.ACCEPTED, 20),
    (
        "repair",
        "已拒绝：需更换新产品 · Declined: a new product is needed",
        DecisionOutcome.DECLINED,
        70,
    ),
    ("installation", "已安装 · Installed", DecisionOutcome.ACCEPTED, 20),
    ("complaint", "投诉成立，已处理 · Complaint upheld and settled", DecisionOutcome.ACCEPTED, 20),
    ("complaint", "投诉不成立 · Complaint not upheld", DecisionOutcome.DECLINED, 70),
]

# A working day here is 8 hours (480 business minutes): the Russian calendar's day; in the
# Chinese calendar's 7.5-hour day the same targets reach a little into the next day.
DAY = 480
# name, priority, contract service level, response, resolution, escalation step (minutes)
SLA_POLICIES = [
    ("普通 · Normal", None, "", 4 * 60, 3 * DAY, 120),
    ("紧急 · Urgent", Priority.URGENT, "", 60, DAY, 30),
    ("高级合同 · Premium contract", None, "premium", 30, DAY, 30),
]

# region code, skill name or None, handling unit code, order
ROUTING = [
    ("east", None, "shanghai", 100),
    ("east", "安装 · Installation", "hangzhou", 50),
    ("sibir", None, "novosib", 100),
]


def seed_request_configuration(admin: User) -> int:
    """Create the demo's request configuration; returns how many records are new. `admin`
    (an administrator at headquarters) is the one who "configures" it: routing rules are
    checked against the units they see."""
    created = 0
    skills: dict[str, Skill] = {}
    people = {user.username: user for user in User.objects.filter(username__in=_usernames())}
    for name, usernames in SKILLS:
        skill = Skill.objects.filter(name=name).first()
        if skill is None:
            members = [people[username] for username in usernames if username in people]
            skill = config_services.skill_create(user=admin, name=name, members=members)
            created += 1
        skills[name] = skill
    types: dict[str, RequestType] = {}
    for order, (code, name, description, priority, skill, reopen, questions) in enumerate(
        TYPES, start=1
    ):
        request_type = RequestType.objects.filter(code=code).first()
        if request_type is None:
            request_type = config_services.request_type_create(
                code=code,
                name=name,
                description=description,
                default_priority=priority,
                skill=skills[skill] if skill else None,
                reopen_days=reopen,
                order=order * 10,
            )
            created += 1 + _add_questions(request_type, questions)
            extra = EXTRA_TRANSITIONS.get(code)
            if extra:
                config_services.transitions_save(
                    request_type=request_type,
                    allowed={*DEFAULT_TRANSITIONS, *MANDATORY_TRANSITIONS, *extra},
                )
        types[code] = request_type
    for type_code, name, outcome, order in DECISIONS:
        request_type = types[type_code] if type_code else None
        if not Decision.objects.filter(request_type=request_type, name=name).exists():
            config_services.decision_create(
                request_type=request_type, name=name, outcome=outcome, order=order
            )
            created += 1
    for name, priority, level, response, resolution, step in SLA_POLICIES:
        if not SlaPolicy.objects.filter(name=name).exists():
            config_services.sla_policy_create(
                name=name,
                priority=priority,
                service_level=level,
                response_minutes=response,
                resolution_minutes=resolution,
                escalation_step_minutes=step,
            )
            created += 1
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=_unit_codes())}
    for region, skill, handling, order in ROUTING:
        if region not in units or handling not in units:
            continue
        rule_skill = skills[skill] if skill else None
        exists = RoutingRule.objects.filter(region=units[region], skill=rule_skill).exists()
        if not exists:
            config_services.routing_rule_create(
                user=admin,
                region=units[region],
                skill=rule_skill,
                handling_unit=units[handling],
                order=order,
            )
            created += 1
    return created


def _add_questions(request_type: RequestType, questions: list[Question]) -> int:
    saved: dict[str, RequestTypeField] = {}
    for order, (key, label, kind, options) in enumerate(questions, start=1):
        show_if = options.get("show_if")
        saved[key] = config_services.question_create(
            request_type=request_type,
            key=key,
            label=label,
            kind=kind,
            help_text=options.get("hint", ""),
            choices="\n".join(options.get("choices", [])),
            required=options.get("required", False),
            order=order * 10,
            show_if_field=saved[show_if] if show_if else None,
            show_if_values="\n".join(options.get("values", [])),
        )
    return len(saved)


def _usernames() -> set[str]:
    return {username for _name, usernames in SKILLS for username in usernames}


def _unit_codes() -> set[str]:
    return {code for region, _s, handling, _o in ROUTING for code in (region, handling)}


# type code, subject, answers, priority or None, what happens after registration
DEMO_REQUESTS: list[tuple[str, str, dict[str, str], int | None, str]] = [
    (
        "repair",
        "空调不制冷 · The air conditioner does not cool",
        {
            "symptom": "开机后只吹风，不制冷。 · Only blows air, no cooling.",
            "warranty": NO,
            "where": AT_HOME,
            "visit_time": "周六上午 · Saturday morning",
        },
        None,
        "in_work",
    ),
    (
        "repair",
        "洗衣机漏水 · The washing machine leaks",
        {
            "symptom": "洗涤时底部漏水。 · Water leaks from below while washing.",
            "warranty": NOT_SURE,
            "where": AT_OUTLET,
        },
        None,
        "waiting",
    ),
    (
        "repair",
        "手机无法充电 · The phone does not charge",
        {
            "symptom": "插上充电器没有反应。 · Nothing happens when plugged in.",
            "warranty": NO,
            "where": AT_OUTLET,
        },
        Priority.URGENT,
        "registered",
    ),
    (
        "consultation",
        "如何清洗滤网 · How to clean the filter",
        {
            "topic": "保养 · Care and maintenance",
            "question": "滤网多久清洗一次？ · How often to clean the filter?",
        },
        None,
        "done",
    ),
    (
        "complaint",
        "上门迟到 · The engineer came late",
        {
            "about": "服务质量 · Quality of service",
            "details": "约好上午十点，下午两点才到。 · Agreed 10:00, came at 14:00.",
        },
        Priority.HIGH,
        "closed",
    ),
    (
        "installation",
        "新空调安装 · Install a new air conditioner",
        {
            "model": "KFR-35GW",
            "delivered": YES,
        },
        None,
        "registered",
    ),
]


def seed_requests(admin: User, customers: list[Any]) -> int:
    """A few requests in every state, registered through the services (rules, deadlines and
    events as in real use), some days ago so that queues show due and overdue work. Skipped
    when the demo customers already have requests."""
    import datetime

    from django.utils import timezone

    from aftersales.service_requests import services
    from aftersales.service_requests.models import Channel, ServiceRequest

    if not customers or ServiceRequest.objects.filter(customer__in=customers).exists():
        return 0
    types = {t.code: t for t in RequestType.objects.filter(code__in={r[0] for r in DEMO_REQUESTS})}
    decisions = {d.name: d for d in Decision.objects.all()}
    now = timezone.now()
    created = 0
    for round_number in range(4):
        for index, (code, subject, answers, priority, state) in enumerate(DEMO_REQUESTS):
            customer = customers[(round_number * len(DEMO_REQUESTS) + index * 5) % len(customers)]
            start = now - datetime.timedelta(days=round_number * 3 + index % 3, hours=index)
            request = services.request_register(
                customer=customer,
                request_type=types[code],
                channel=[Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.WALK_IN][index % 4],
                subject=subject,
                answers=answers,
                priority=priority,
                registered_by=admin,
                now=start,
            )
            created += 1
            step = start + datetime.timedelta(hours=1)
            if state == "registered":
                continue
            request = services.request_transition(
                request=request, to_status=Status.IN_WORK, user=admin, now=step
            )
            if state == "waiting":
                services.request_transition(
                    request=request,
                    to_status=Status.WAITING_CUSTOMER,
                    user=admin,
                    reason="等待客户寄回照片 · Waiting for the customer's photos",
                    now=step,
                )
            elif state in ("done", "closed"):
                decision = decisions.get(
                    "已提供咨询 · Consultation given"
                    if code == "consultation"
                    else "投诉成立，已处理 · Complaint upheld and settled"
                )
                if decision is None:
                    continue
                request = services.request_decide(
                    request=request,
                    decision=decision,
                    result="已电话告知客户处理结果。 · The customer was told the result by phone.",
                    user=admin,
                    now=step,
                )
                if state == "closed":
                    services.request_confirm(request=request, now=step)
    return created

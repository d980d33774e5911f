"""A year of an office's history, loaded in bulk, whose times follow the procedure's clocks (README command 1).

`load(estates, days=…)` plans every case of the period day by day (a seeded random draw of type, job class and
outcome: on time, late, escalated, paused, reworked, reopened after a dissatisfied return visit, still open),
then writes the cases, work orders, pauses, return visits, escalation rows, resident messages, job logs,
liaison sheets and settlements with a few multi-row INSERTs (services/sql.insert_rows: one statement per
chunk, values sent to the driver). Controllers are not run for the history — a year of saves would take an
hour — so what they would have stamped is stamped here from the same rules: the deadlines, `kpi_due_at`,
`handled_at` and `next_escalation_at` come from services/clocks.compute and job_due_at (the limits and the
ladder of Settings), the escalation rows' names, levels and people from services/escalation (escalation_name,
Targets) at the moments the ladder gives, the resident messages' keys from procedure/resident_messages.
A realistic number of paid jobs then goes through the app's own billing path (services/billing
invoice_work_order, an ERPNext Payment Entry) so that ERPNext's ledgers are real.

Running it again adds nothing: an estate whose history is there (a case of it called more than a week before
the load) is left alone. `Plan` says what was generated, so that a test can hold the reports to it.
"""

import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import add_days, getdate, now_datetime

from property_helpdesk.constants import (
	CASE,
	CLOSED,
	COMPLAINT,
	COMPLAINT_GROUND,
	ENQUIRY,
	ESCALATION,
	IN_PROGRESS,
	JOB_LOG,
	LIAISON_SHEET,
	MESSAGE_ACCEPTED,
	MESSAGE_DISPATCHED,
	MESSAGE_DONE,
	MESSAGE_FAILED,
	MESSAGE_RETURN_VISIT,
	MESSAGE_SENT,
	OPEN,
	PAID_SERVICE,
	REPAIR,
	REPAIR_SERVICE_TYPE,
	RESIDENT,
	RESIDENT_MESSAGE,
	RESOLVED,
	RETURN_VISIT,
	SERVICE_REQUEST,
	SERVICE_TYPED_CASES,
	SETTINGS,
	SETTLEMENT,
	UNIT,
	WORK_ORDER,
)
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure.liability import COMMON, PRIVATE
from property_helpdesk.procedure.resident_messages import message_key
from property_helpdesk.services import clocks as C
from property_helpdesk.services import notify
from property_helpdesk.services.dispatch import job_description
from property_helpdesk.services.escalation import Targets, escalation_name
from property_helpdesk.services.sql import insert_rows
from property_helpdesk.setup.builders import warranty_rule

CHUNK = 500  # rows per INSERT statement
NUMBERS = ("Check", "Int", "Float", "Currency", "Percent", "Rating")
OLD_ENOUGH_DAYS = 7  # a case older than this in an estate means its history is loaded
RESIDENT_LANG = (
	"zh"  # the texts the residents were sent: Simplified Chinese, as the messages service sends them
)


@dataclass(frozen=True)
class Estate:
	"""One property of the history: who works there and how busy and how punctual its office is."""

	name: str
	buildings: tuple[str, ...]
	floors: int
	handover: str  # the first unit's handover date
	director: str
	supervisor: str
	duty: tuple[str, ...]  # who takes the calls (acceptors, follow-up owners)
	technicians: tuple[str, ...]
	cases_per_day: float
	on_time: float  # the share of jobs and answers done by their deadline
	in_warranty: bool  # private-part defects are the developer's (R16, R17)
	phone_prefix: str  # residents' phones: prefix + 4 digits (unique per estate)


@dataclass
class Plan:
	"""What the generator made: counts by property, and each case's planned verdict (R29)."""

	start: datetime | None = None
	now: datetime | None = None
	cases: Counter = field(default_factory=Counter)  # (property, type)
	verdicts: dict = field(default_factory=dict)  # case name → On Time / Late / Pending
	outcomes: dict = field(default_factory=dict)  # case name → set of outcome labels
	jobs: Counter = field(
		default_factory=Counter
	)  # (property, "completed" | "minor" | "minor_on_time" | "rework")
	rows: Counter = field(default_factory=Counter)  # doctype → rows written
	invoices: list = field(default_factory=list)
	property_of: dict = field(default_factory=dict)  # case name → property
	seconds: float = 0

	def verdict_counts(self, property_name: str | None = None) -> Counter:
		return Counter(
			v
			for name, v in self.verdicts.items()
			if v and (property_name is None or self.property_of.get(name) == property_name)
		)


# -- what people call about -----------------------------------------------------------------------------------

# subject, description, location, job class, warranty component (a developer's defect when in warranty)
REPAIRS = (
	("楼道声控灯不亮", "{b}{f}楼楼道声控灯不亮。", COMMON, K.MINOR, None),
	("单元门禁失灵", "{b}单元门禁刷卡无反应。", COMMON, K.MINOR, None),
	("电梯按钮失灵", "{b}电梯{f}楼外呼按钮失灵。", COMMON, K.MINOR, None),
	("地下车库照明故障", "车库B区一排灯管不亮。", COMMON, K.MINOR, None),
	("公共水管滴漏", "{b}{f}楼管井内水管接头滴水。", COMMON, K.MINOR, None),
	("消防栓箱门损坏", "{b}{f}楼消防栓箱门合页脱落。", COMMON, K.MINOR, None),
	("小区路灯不亮", "{b}旁路灯夜间不亮。", COMMON, K.MINOR, None),
	("楼道墙面抹灰脱落", "{b}{f}楼楼道墙面抹灰起鼓脱落。", COMMON, K.GENERAL, None),
	("外墙瓷砖松动", "{b}外墙{f}楼处瓷砖松动，有坠落风险。", COMMON, K.GENERAL, None),
	("屋面渗水", "{b}顶层屋面雨后渗水。", COMMON, K.GENERAL, "屋面防水"),
	("二次供水水泵故障", "泵房二号水泵异响，需外请厂家检修。", COMMON, K.MAJOR, None),
	("电梯主板故障", "{b}电梯主板故障停梯，需外购配件。", COMMON, K.MAJOR, None),
	("厨房龙头关不紧", "厨房水龙头关不紧，持续滴水。", PRIVATE, K.MINOR, "卫生洁具"),
	("卫生间下水道堵塞", "卫生间地漏下水很慢。", PRIVATE, K.MINOR, "管道堵塞"),
	("入户门锁芯损坏", "入户门锁五金件损坏，无法反锁。", PRIVATE, K.MINOR, "门窗翘裂、五金件损坏"),
	("插座无电", "客厅墙面插座无电。", PRIVATE, K.MINOR, "灯具、电器开关"),
	("窗户关不严", "卧室窗户五金件松动，关不严。", PRIVATE, K.MINOR, "门窗翘裂、五金件损坏"),
	(
		"卫生间渗水到楼下",
		"楼下天花板有水渍，疑似防水层破损。",
		PRIVATE,
		K.GENERAL,
		"卫生间、房间和外墙面防渗漏",
	),
	(
		"卫生间防水层需重做",
		"卫生间渗漏反复，需凿除地面重做防水。",
		PRIVATE,
		K.MAJOR,
		"卫生间、房间和外墙面防渗漏",
	),
)
PAID = (
	# subject, description, fee schedule item, qty range
	("室内深度保洁", "业主预约室内深度保洁。", "室内保洁（每小时）", (2, 4)),
	("疏通下水道", "厨房下水道堵塞，业主付费疏通。", "疏通下水道", (1, 1)),
	("更换水龙头阀芯", "业主自购阀芯，请师傅上门更换。", "更换水龙头阀芯（不含材料）", (1, 2)),
	("上门安装灯具", "业主新购吊灯，请师傅上门安装。", "上门维修人工费（每小时）", (1, 2)),
)
COMPLAINTS = (
	# subject, description, ground, service quality, major
	("门岗保安态度差", "夜间进门时门岗保安态度恶劣。", "A4.3.1.6", 1, 0),
	("多次报修未处理", "楼道灯报修两次仍未修好。", "A4.3.1.5", 1, 0),
	("公共区域保洁不到位", "{b}楼道垃圾两天无人清理。", "A4.3.1.1", 1, 0),
	("物业费收费有疑问", "认为本月物业费多收。", "A4.3.1.4", 0, 0),
	("楼上装修噪音扰民", "{b}楼上周末装修噪音大。", "A4.3.2.1", 0, 0),
	("开发商遗留质量问题", "外墙渗水要求开发商维修。", "A4.3.2.2", 0, 1),
	("停水未提前通知", "小区停水未提前通知业主。", "A4.3.2.4", 0, 0),
	("要求增设儿童游乐设施", "要求在小区中心绿地增设儿童游乐设施。", "A4.3.3.1", 0, 0),
)
REQUESTS = (
	("补办单元门禁卡", "门禁卡丢失，需补办。"),
	("申请装修出入证", "下月开始装修，申请施工人员出入证。"),
	("申请临时停车", "亲友来访，申请临时停车一天。"),
	("申请开具居住证明", "办理入学需要居住证明。"),
	("申请借用活动室", "周末借用活动室举办业主活动。"),
)
ENQUIRIES = (
	("物业费线上缴纳咨询", "咨询物业费是否可以线上缴纳。", "已告知可通过门户及银行代扣缴纳。"),
	("快递代收时间", "咨询前台代收快递的时间。", "已告知前台每天8:00至20:00代收。"),
	("停车费标准", "咨询地面停车位月租标准。", "已告知收费标准并发送价目表。"),
	("装修管理规定", "咨询装修时间规定。", "已告知工作日8:00-12:00、14:00-18:00可施工。"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = (
	"伟",
	"芳",
	"娜",
	"敏",
	"静",
	"磊",
	"洋",
	"艳",
	"勇",
	"军",
	"杰",
	"娟",
	"涛",
	"明",
	"超",
	"霞",
	"平",
	"刚",
)
PAUSE_REASONS = (K.APPOINTMENT_PAUSE, K.PARTS_PAUSE, K.NOT_HOME_PAUSE, K.WEATHER_PAUSE)
SATISFACTION = (("Satisfied", 0.89), ("Partly Satisfied", 0.07), ("Dissatisfied", 0.04))
TYPES = ((REPAIR, 0.59), (PAID_SERVICE, 0.025), (COMPLAINT, 0.12), (SERVICE_REQUEST, 0.165), (ENQUIRY, 0.10))
SHEET_STEPS = (
	"Draft",
	"Director Signed",
	"CS Reviewed",
	"GM Signed",
	"Sent to Developer",
	"Replied",
	"Closed",
)
SMALL_STEPS = ("Draft", "Small Claim Answered", "Settled")
LARGE_STEPS = ("Draft", "Plan Drafting", "Pending General Manager", "Negotiating", "Memo Signed", "Settled")
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


def choose(rng: random.Random, weighted):
	return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def minutes(n: float) -> timedelta:
	return timedelta(minutes=n)


def hours(n: float) -> timedelta:
	return timedelta(hours=n)


# -- the entry point --------------------------------------------------------------------------------------------


def load(
	estates: list[Estate],
	days: int = 365,
	seed: int = 2026,
	invoices: int = 60,
	biller: str = "Administrator",
	now: datetime | None = None,
	cs_manager: str | None = None,
	general_manager: str | None = None,
) -> Plan:
	"""Load `days` of history for each estate not yet holding one; return what was generated."""
	began = time.monotonic()
	plan = Plan(now=now or now_datetime())
	todo = [e for e in estates if not has_history(e.name, plan.now)]
	if not todo:
		plan.seconds = time.monotonic() - began
		return plan
	plan.start = datetime.combine(getdate(add_days(plan.now, -days)), datetime.min.time())
	gen = Generator(plan, seed, cs_manager, general_manager)
	for estate in todo:
		gen.estate(estate)
	gen.write()
	bill(plan, gen.paid_jobs, invoices, biller)
	plan.seconds = time.monotonic() - began
	return plan


def has_history(property_name: str, now: datetime) -> bool:
	return bool(
		frappe.db.exists(
			CASE, {"property": property_name, "call_started_at": ("<", now - timedelta(days=OLD_ENOUGH_DAYS))}
		)
	)


def reserve(prefix: str, count: int, digits: int = 5) -> list[str]:
	"""`count` names of a naming series, taken from its counter at once (what Frappe's naming does one by one),
	so that a case made later by hand follows them."""
	if count <= 0:
		return []
	row = frappe.db.sql("select `current` from `tabSeries` where `name` = %s for update", prefix)
	start = row[0][0] if row else 0
	if row:
		frappe.db.sql("update `tabSeries` set `current` = %s where `name` = %s", (start + count, prefix))
	else:
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, %s)", (prefix, count))
	return [f"{prefix}{i:0{digits}d}" for i in range(start + 1, start + count + 1)]


def named(prefix_of, rows: list[dict], stamp: str) -> None:
	"""Give each row a name of its series (by the year of its `stamp`), in the order of that time."""
	by_prefix = defaultdict(list)
	for row in sorted(rows, key=lambda r: r[stamp]):
		by_prefix[prefix_of(row[stamp].year)].append(row)
	for prefix, group in by_prefix.items():
		for row, name in zip(group, reserve(prefix, len(group)), strict=True):
			row["name"] = name


class Generator:
	def __init__(self, plan: Plan, seed: int, cs_manager: str | None, general_manager: str | None):
		self.plan, self.rng = plan, random.Random(seed)
		self.commitment, self.ladder = C.get_commitment(), C.get_ladder()
		self.pause_limits = C.get_pause_limits()
		s = frappe.get_cached_doc(SETTINGS)
		self.rework_days = s.rework_window_days or 30
		self.threshold = s.compensation_threshold or 2000
		self.reply_days = s.developer_reply_days or 3
		self.attempts = s.message_attempts or 4
		self.cs_manager = cs_manager or s.cs_manager
		self.general_manager = general_manager or s.general_manager
		self.grounds = dict(frappe.get_all(COMPLAINT_GROUND, fields=["name", "validity_class"], as_list=True))
		self.rules = {}
		self.cases, self.jobs, self.items, self.pauses, self.visits = [], [], [], [], []
		self.messages, self.escalations, self.logs, self.log_entries = [], [], [], []
		self.sheets, self.sheet_cases, self.settlements = [], [], []
		self.paid_jobs = []
		self.names = {}

	# -- one estate ------------------------------------------------------------------------------------------

	def estate(self, estate: Estate) -> None:
		units = self.units(estate)
		rng, day = self.rng, self.plan.start
		cases = []
		while day < self.plan.now:
			# busier on weekends and in the rainy season (June, July)
			pace = (
				estate.cases_per_day
				* (1.25 if day.weekday() >= 5 else 1)
				* (1.3 if day.month in (6, 7) else 1)
			)
			for _i in range(int(pace) + (rng.random() < pace - int(pace))):
				called = day + timedelta(seconds=rng.randint(7 * 3600, 21 * 3600))
				if called < self.plan.now - minutes(10):
					cases.append(self.case(estate, rng.choice(units), called))
			day += timedelta(days=1)
		# R30: some jobs are redone: the resident calls again about the same thing within the rework window
		for case in cases:
			job = case.get("_job")
			if job and job["completed_at"] and not job["paid_service"] and rng.random() < 0.03:
				called = job["completed_at"] + timedelta(days=rng.uniform(1, min(20, self.rework_days - 1)))
				if called < self.plan.now - minutes(10):
					self.case(estate, case["_unit"], called, rework_of=case)
		self.job_logs(estate)
		self.liaison_sheets(estate)
		self.settlement_claims(estate)

	def units(self, estate: Estate) -> list[dict]:
		"""The estate's units with a resident each; those missing are written first (existing ones stay)."""
		existing = set(frappe.get_all(UNIT, {"property": estate.name}, pluck="name"))
		new_units, new_residents = [], []
		now, rng = self.plan.now, self.rng
		handover = getdate(estate.handover)
		for b, building in enumerate(estate.buildings):
			for floor in range(1, estate.floors + 1):
				for door in (1, 2):
					unit_no = f"{floor}{door:02d}"
					name = f"{estate.name}-{building}-{unit_no}"
					if name in existing:
						continue
					resident = (
						rng.choice(SURNAMES)
						+ rng.choice(GIVEN)
						+ (rng.choice(GIVEN) if rng.random() < 0.5 else "")
					)
					phone = f"{estate.phone_prefix}{b:02d}{floor:02d}{door}"[:11].ljust(11, "0")
					new_units.append(
						{
							"name": name,
							"property": estate.name,
							"building": building,
							"unit_no": unit_no,
							"handover_date": add_days(handover, 30 * b + floor),
							"owner_name": resident,
							"owner_phone": phone,
							"creation": now,
							"modified": now,
						}
					)
					new_residents.append({"resident_name": resident, "phone": phone, "unit": name})
		self.insert(UNIT, new_units)
		for row, name in zip(new_residents, reserve("RES-", len(new_residents)), strict=True):
			row["name"] = name
		self.insert(
			RESIDENT,
			[
				{
					"name": r["name"],
					"resident_name": r["resident_name"],
					"phone": r["phone"],
					"creation": now,
					"modified": now,
				}
				for r in new_residents
			],
		)
		self.insert(
			"Resident Unit",
			[
				{
					"name": frappe.generate_hash(length=10),
					"parent": r["name"],
					"parenttype": RESIDENT,
					"parentfield": "units",
					"idx": 1,
					"unit": r["unit"],
					"relation": "Owner",
					"creation": now,
					"modified": now,
				}
				for r in new_residents
			],
		)
		ru, res = frappe.qb.DocType("Resident Unit"), frappe.qb.DocType(RESIDENT)
		rows = (
			frappe.qb.from_(ru)
			.join(res)
			.on(res.name == ru.parent)
			.select(ru.unit, res.name, res.resident_name, res.phone)
			.where(ru.unit.like(f"{estate.name}-%") & (ru.parenttype == RESIDENT))
			.orderby(ru.unit)
		).run(as_dict=True)
		by_unit = {}
		for row in rows:
			by_unit.setdefault(row.unit, row)
		return [
			{
				"unit": unit,
				"building": unit.split("-")[-2],
				"floor": unit.split("-")[-1][:-2],
				**by_unit[unit],
			}
			for unit in sorted(by_unit)
		]

	# -- one case ------------------------------------------------------------------------------------------------

	def case(self, estate: Estate, unit: dict, called: datetime, rework_of: dict | None = None) -> dict:
		rng = self.rng
		kind = REPAIR if rework_of else choose(rng, TYPES)
		acceptor = rng.choice(estate.duty)
		row = {
			"naming_series": "PH-.YYYY.-",
			"ticket_type": kind,
			# the desk asks a service request's and a paid service's type: the history's are repairs
			"service_type": REPAIR_SERVICE_TYPE if kind in SERVICE_TYPED_CASES else None,
			"channel": choose(rng, (("Phone", 0.7), ("Visit", 0.15), ("Portal", 0.15))),
			"call_started_at": called,
			"unit": unit["unit"],
			"property": estate.name,
			"resident": unit["name"],
			"contact_name": unit["resident_name"],
			"contact_phone": unit["phone"],
			"acceptor": acceptor,
			"follow_up_owner": acceptor,
			"follow_up_owner_name": self.full_name(acceptor),
			"follow_up_owner_phone": self.mobile(acceptor),
			"reopen_count": 0,
			"paused_minutes": 0,
			"creation": called,
			"owner": acceptor,
			"_unit": unit,
			"_estate": estate,
			"_outcomes": set(),
		}
		place = {"b": unit["building"], "f": unit["floor"]}
		if kind in (REPAIR, PAID_SERVICE):
			self.repair(row, estate, place, rework_of)
		elif kind in (COMPLAINT, SERVICE_REQUEST):
			self.answered(row, estate, place)
		else:
			subject, description, result = rng.choice(ENQUIRIES)
			closed = called + minutes(rng.uniform(2, 10))
			row.update(subject=subject, description=description, result=result, answer_to_resident=result)
			row.update(
				status=CLOSED if closed < self.plan.now else OPEN,
				closed_at=closed if closed < self.plan.now else None,
			)
			row["answered_at"] = row["closed_at"]
		self.finish(row)
		self.cases.append(row)
		self.plan.cases[(estate.name, kind)] += 1
		return row

	def repair(self, row: dict, estate: Estate, place: dict, rework_of: dict | None) -> None:
		rng, c, now = self.rng, self.commitment, self.plan.now
		called = row["call_started_at"]
		paid = row["ticket_type"] == PAID_SERVICE
		if paid:
			subject, description, item, qty = rng.choice(PAID)
			location, job_class, component = PRIVATE, K.MINOR, None
			row.update(liability_branch="Private Part - Paid Service", liable_party="Owner", paid_service=1)
		elif rework_of:
			previous = rework_of["_job"]
			subject, description = (
				f"返修：{rework_of['subject']}",
				f"上次维修后问题再次出现。{rework_of['description']}",
			)
			location, job_class, component = rework_of["location"], previous["job_class"], None
			row.update(
				{
					k: rework_of.get(k)
					for k in (
						"liability_branch",
						"liable_party",
						"warranty_rule",
						"is_quality_defect",
						"needs_liaison_sheet",
					)
				}
			)
			if job_class == K.MAJOR:
				job_class = K.GENERAL
		else:
			subject, description, location, job_class, component = rng.choice(
				[r for r in REPAIRS if estate.in_warranty or r[2] == COMMON]
			)
			if location == PRIVATE:  # only in warranty: the developer's defect (R16, R17)
				row.update(
					liability_branch="Developer Defect",
					liable_party="Developer",
					needs_liaison_sheet=1,
					is_quality_defect=1,
					warranty_rule=self.rule(component),
				)
			else:
				row.update(
					liability_branch="Common Facility",
					liable_party="Maintenance Fund" if job_class == K.MAJOR else "Property Company",
				)
		emergency = job_class == K.MINOR and not paid and rng.random() < 0.06
		row.update(subject=subject, description=description.format(**place), location=location)
		row.update(is_emergency=int(emergency), intake_job_class=None if job_class == K.MAJOR else job_class)
		technician = rng.choice(estate.technicians)
		dispatched = called + minutes(rng.uniform(1, 3))
		late_dispatch = not emergency and rng.random() < 0.03
		told = (
			called + minutes(c.dispatch + rng.uniform(1, 20))
			if late_dispatch
			else dispatched + timedelta(seconds=rng.randint(3, 60))
		)
		appointment = None
		if not emergency and rng.random() < 0.3:
			appointment = called + hours(rng.uniform(2, 20))
		start = max(dispatched, appointment or dispatched)
		late_arrival = rng.random() < 0.07
		arrived = start + minutes(
			c.arrival + rng.uniform(1, 45) if late_arrival else rng.uniform(4, c.arrival - 1)
		)
		on_time = rng.random() < estate.on_time
		pause = None
		if job_class != K.MAJOR and not emergency and rng.random() < 0.06:
			reason = rng.choice(PAUSE_REASONS)
			limit = self.pause_limits.get(reason) or 240
			paused_at = arrived + minutes(rng.uniform(10, 40))
			pause = (
				reason,
				paused_at,
				paused_at + minutes(limit),
				paused_at + minutes(limit * rng.uniform(0.2, 0.9)),
			)
		paused = (pause[3] - pause[1]).total_seconds() / 60 if pause else 0
		explained = expected = None
		work_from = (pause[3] if pause else arrived) + minutes(15)
		if job_class == K.MAJOR:
			explained = called + (
				hours(rng.uniform(4, c.explanation / 60 - 1))
				if on_time
				else minutes(c.explanation) + hours(rng.uniform(1, 24))
			)
			completed = explained + timedelta(days=rng.uniform(3, 15))
			expected = getdate(completed + timedelta(days=1))
		else:
			limit = c.minor_completion if job_class == K.MINOR else c.general_completion
			due = called + minutes(limit + paused)
			if on_time:
				aim = called + minutes(paused + 120)
				latest = (
					aim
					if job_class == K.MINOR and rng.random() < 0.7 and work_from + minutes(20) < aim
					else due
				)
				if latest <= work_from + minutes(10):
					latest = max(due, work_from + minutes(30))
				completed = min(work_from + (latest - work_from) * rng.uniform(0.05, 0.95), due - minutes(1))
			else:
				completed = due + minutes(rng.uniform(10, 20 * 60))
		returned = completed + (
			hours(c.work_order_return / 60 + rng.uniform(1, 12))
			if rng.random() < 0.05
			else hours(rng.uniform(0.5, 20))
		)
		visited = completed + (
			hours(c.return_visit / 60 + rng.uniform(1, 24))
			if rng.random() < 0.06
			else hours(rng.uniform(2, 70))
		)
		satisfaction = choose(rng, SATISFACTION)
		stuck = called > now - timedelta(days=30) and rng.random() < 0.02  # still open, past its deadline
		if stuck:
			completed = explained = None
		# what has not happened by now has not happened
		events = {
			"told": told,
			"arrived": arrived,
			"explained": explained,
			"completed": completed,
			"returned": returned,
			"visited": visited,
		}
		events = {k: (v if v is not None and v <= now else None) for k, v in events.items()}
		if events["completed"] is None:
			events["returned"] = events["visited"] = None
		if events["arrived"] is None:
			events["explained"] = events["completed"] = events["returned"] = events["visited"] = None
		if pause and pause[1] > now:
			pause = None
		row["_outcomes"].update(
			o
			for o, happened in (
				("emergency", emergency),
				("paused", pause),
				("late dispatch", late_dispatch),
				("late arrival", late_arrival),
				("reworked", rework_of),
				("open", stuck),
			)
			if happened
		)
		job = {
			"naming_series": "WO-.YYYY.-",
			"service_ticket": None,
			"unit": row["unit"],
			"property": row["property"],
			"subject": row["subject"],
			"contact_name": row["contact_name"],
			"contact_phone": row["contact_phone"],
			"job_class": job_class,
			"dispatched_class": job_class,
			"major_reason": rng.choice(("Major Repair", "External Specialist", "Parts from Elsewhere"))
			if job_class == K.MAJOR
			else None,
			"is_emergency": int(emergency),
			"paid_service": int(paid),
			"rework_of": rework_of["_job"]["_name"] if rework_of else None,
			"proposed_rework_of": rework_of["_job"]["_name"] if rework_of else None,
			"technician": technician,
			"dispatched_at": dispatched,
			"accepted_at": past(dispatched + minutes(rng.uniform(0.5, 3)), now),
			"dispatch_entered_afterwards": int(emergency),
			"team_told_at": events["told"],
			"appointment_at": appointment,
			"arrived_at": events["arrived"],
			"started_at": events["arrived"] and past(events["arrived"] + minutes(2), now),
			"completed_at": events["completed"],
			"returned_at": events["returned"],
			"explained_at": events["explained"],
			"expected_completion": expected if events["explained"] else None,
			"work_done": f"已处理：{row['subject']}" if events["completed"] else None,
			"creation": dispatched,
			"owner": row["acceptor"],
			"_name": frappe.generate_hash(length=12),  # until named
			# R30 as planned: a minor/urgent job completed by its limit from the call (plus the pauses)
			"_on_time": bool(
				events["completed"]
				and job_class == K.MINOR
				and events["completed"] <= called + minutes(c.minor_completion + paused)
			),
		}
		if paid:
			qty_ = rng.randint(*qty)
			rate = {"室内保洁（每小时）": 40, "疏通下水道": 80, "更换水龙头阀芯（不含材料）": 30}.get(
				item, 50
			)
			self.items.append(
				{
					"_job": job,
					"item_type": "Labour",
					"item_code": item,
					"item_name": item,
					"qty": qty_,
					"rate": rate,
					"amount": qty_ * rate,
				}
			)
			job["total_amount"] = qty_ * rate
		if events["completed"]:
			confirmed = min(events["completed"] + minutes(rng.uniform(2, 15)), now)  # never ahead of now
			job.update(
				resident_confirmed=1,
				confirmed_at=confirmed,
				quality_rating=rng.choice((0.8, 1, 1)),
				timeliness_rating=rng.choice((0.6, 0.8, 1, 1)) if on_time else rng.choice((0.4, 0.6)),
				attitude_rating=rng.choice((0.8, 1, 1)),
				resident_signature=SIGNATURE,  # R36: no confirmation without it (validate_confirmation)
			)
			if paid:
				self.paid_jobs.append(job)
		job["status"] = (
			"Returned"
			if job["returned_at"]
			else "Completed"
			if job["completed_at"]
			else "On Site"
			if job["arrived_at"]
			else "Dispatched"
		)
		row["_job"] = job
		self.jobs.append(job)
		if pause:
			resumed = pause[3] if pause[3] <= now else None
			self.pauses.append(
				{
					"_case": row,
					"reason": pause[0],
					"paused_at": pause[1],
					"ends_at": pause[2],
					"resumed_at": resumed,
					"recorded_by": technician,
				}
			)
			if resumed:
				row["paused_minutes"] = paused
			else:
				row.update(paused_since=pause[1], paused_until=pause[2])
		visit = None
		if events["visited"]:
			visit = {
				"_case": row,
				"_job": job,
				"visitor": row["acceptor"],
				"visited_at": events["visited"],
				"channel": "Phone",
				"satisfaction": satisfaction,
				"comments": {
					"Satisfied": "业主对维修结果满意",
					"Partly Satisfied": "业主基本满意，希望上门更及时",
					"Dissatisfied": "业主不满意，要求重新处理",
				}[satisfaction],
			}
			self.visits.append(visit)
		row["result"] = f"已完成：{job['work_done']}" if events["completed"] else None
		if visit and satisfaction == "Dissatisfied":
			# R29: the resident is not satisfied: the case is taken back and done again (never on time)
			reclosed = events["visited"] + timedelta(days=rng.uniform(1, 3))
			row["reopen_count"] = 1
			row["_outcomes"].add("dissatisfied")
			row["status"] = CLOSED if reclosed <= now else IN_PROGRESS
			row["closed_at"] = reclosed if reclosed <= now else None
		elif events["visited"]:
			row.update(status=CLOSED, closed_at=events["visited"])
		else:
			row["status"] = RESOLVED if events["completed"] else IN_PROGRESS
		row["answer_to_resident"] = "已电话告知业主处理结果。" if events["completed"] else None

	def answered(self, row: dict, estate: Estate, place: dict) -> None:
		rng, c, now = self.rng, self.commitment, self.plan.now
		called = row["call_started_at"]
		if row["ticket_type"] == COMPLAINT:
			subject, description, ground, quality, major = rng.choice(COMPLAINTS)
			level = "Company Leadership" if major else "Office Head" if quality else None
			row.update(
				complaint_ground=ground,
				validity_class=self.grounds.get(ground),
				is_service_quality=quality,
				is_major=major,
				routed_to_level=level,
				routed_to=(self.general_manager if major else estate.director) if level else None,
			)
		else:
			subject, description = rng.choice(REQUESTS)
		on_time = rng.random() < estate.on_time
		answered = called + (
			minutes(c.answer) + hours(rng.uniform(2, 48))
			if not on_time
			else hours(rng.uniform(1, c.answer / 60 - 1))
		)
		stuck = called > now - timedelta(days=30) and rng.random() < 0.02
		if stuck:
			row["_outcomes"].add("open")
		if stuck or answered > now:
			answered = None
		closed = answered and answered + hours(rng.uniform(1, 24))
		closed = closed if closed and closed <= now else None
		row.update(
			subject=subject, description=description.format(**place), answered_at=answered, closed_at=closed
		)
		row.update(
			result="已核实并处理。" if answered else None,
			answer_to_resident="已电话答复业主处理情况。" if answered else None,
			status=CLOSED if closed else RESOLVED if answered else OPEN,
		)
		if answered:
			row["decision"] = "按规定处理并答复业主。" if row.get("routed_to_level") else None
			row["decided_by"] = row.get("routed_to") if row.get("routed_to_level") else None
			row["decided_at"] = (answered - hours(1)) if row.get("routed_to_level") else None

	# -- the clocks, as the controllers and the escalation job would have stamped them ---------------------------

	def finish(self, row: dict) -> None:
		"""The case's deadlines and R29 values from services/clocks (the same code a save runs), and the ladder
		steps each breached clock climbed while it ran (the escalation job runs every minute)."""
		job = row.get("_job")
		visit = next((v for v in self.visits[-1:] if v["_case"] is row), None)
		visited_at = visit["visited_at"] if visit else None
		ticket = frappe._dict({f: row.get(f) for f in C.TICKET_FIELDS}, escalated_levels=None)
		wo = frappe._dict({f: job.get(f) for f in C.WORK_ORDER_FIELDS}, name=job["_name"]) if job else None
		times = C.case_times(ticket, wo, visited_at)
		ends = {
			K.DISPATCH: K.team_told(times),
			K.ARRIVAL: times.arrived_at,
			K.COMPLETION: times.completed_at,
			K.EXPLANATION: times.explained_at,
			K.ANSWER: times.answered_at,
			K.WORK_ORDER_RETURN: times.returned_at,
			K.RETURN_VISIT: times.visited_at,
		}
		end_fields = {
			K.DISPATCH: "team_told_at",
			K.ARRIVAL: "arrived_at",
			K.COMPLETION: "completed_at",
			K.EXPLANATION: "explained_at",
			K.ANSWER: "answered_at",
			K.WORK_ORDER_RETURN: "returned_at",
			K.RETURN_VISIT: "visited_at",
		}
		done, steps = defaultdict(set), []
		for clock in K.CLOCKS:
			# the deadline the clock ran against: the rules' own, as if it had not ended (nor the case closed)
			running = replace(
				times, closed=False, paused_since=None, paused_until=None, **{end_fields[clock]: None}
			)
			if clock == K.DISPATCH and times.emergency:
				continue  # R15e: an emergency's team was told by phone first
			deadline = K.deadlines(running, self.commitment).get(clock)
			if deadline is None:
				continue
			if times.paused_since and clock in K.PAUSABLE and ends[clock] is None:
				continue  # held by the pause under way
			until = ends[clock] or (
				self.plan.now if not times.closed or clock in (K.WORK_ORDER_RETURN, K.RETURN_VISIT) else None
			)
			if until is None or until <= deadline:
				continue
			for step in K.escalations_due(deadline, self.ladder, (), until):
				done[clock].add(step.level)
				at = deadline + minutes(step.delay_minutes) + timedelta(seconds=self.rng.randint(5, 59))
				steps.append((row, clock, step.level, deadline, job and job["_name"], min(at, until)))
		if steps:
			row["_outcomes"].add("escalated")
		row["_steps"] = steps
		ticket.escalated_levels = C.progress_value(done, wo.name if wo else None)
		values, times = C.compute(ticket, wo, visited_at, self.commitment, self.ladder)
		row.update(values)
		if wo:
			job["kpi_due_at"] = C.job_due_at(wo, times, self.commitment)
		row["_verdict"] = self.planned_verdict(row)

	def planned_verdict(self, row: dict) -> str | None:
		"""R29 as planned: from what was drawn (and reopenings), not from the stored columns."""
		if row["ticket_type"] == ENQUIRY:
			return None
		job, c = row.get("_job"), self.commitment
		called = row["call_started_at"]
		if job:
			if job["job_class"] == K.MAJOR:
				end, due = job["explained_at"], called + minutes(c.explanation)
			else:
				limit = c.minor_completion if job["job_class"] == K.MINOR else c.general_completion
				end, due = job["completed_at"], called + minutes(limit + (row["paused_minutes"] or 0))
			if end is None and row.get("paused_since"):
				return K.PENDING
		else:
			end, due = row["answered_at"], called + minutes(c.answer)
		if end is None:
			return K.LATE if due < self.plan.now else K.PENDING
		return K.ON_TIME if end <= due and not row["reopen_count"] else K.LATE

	# -- the office's paperwork ----------------------------------------------------------------------------------

	def job_logs(self, estate: Estate) -> None:
		"""R26: the maintenance team's daily job log: the day's jobs and those still open from before; the
		customer service centre reconciles it the next morning."""
		jobs = sorted(
			(j for j in self.jobs if j["property"] == estate.name), key=lambda j: j["dispatched_at"]
		)
		today = getdate(self.plan.now)
		existing = set(frappe.get_all(JOB_LOG, {"property": estate.name}, pluck="log_date"))
		day = getdate(self.plan.start)
		open_jobs = []
		i = 0
		while day < today:
			end = datetime.combine(day, datetime.min.time()) + timedelta(days=1)
			while i < len(jobs) and jobs[i]["dispatched_at"] < end:
				open_jobs.append(jobs[i])
				i += 1
			entries = [
				j
				for j in open_jobs
				if j["dispatched_at"] >= end - timedelta(days=1)
				or not (j["completed_at"] and j["completed_at"] < end - timedelta(days=1))
			]
			open_jobs = [j for j in open_jobs if not (j["completed_at"] and j["completed_at"] < end)]
			if entries and day not in existing:
				name = f"LOG-{estate.name}-{day}"
				still_open = [j for j in entries if not (j["completed_at"] and j["completed_at"] < end)]
				reconciled = end + hours(9 + self.rng.uniform(0, 2))
				self.logs.append(
					{
						"name": name,
						"log_date": day,
						"property": estate.name,
						"kept_by": estate.supervisor,
						"reconciled": 1,
						"reconciled_by": estate.duty[0],
						"reconciled_at": reconciled,
						"open_items": len(still_open),
						"reconciliation_note": "已与派工记录核对一致。",
						"creation": end - hours(1),
						"modified": reconciled,
						"owner": estate.supervisor,
					}
				)
				for idx, j in enumerate(entries, 1):
					is_open = j in still_open
					self.log_entries.append(
						{
							"parent": name,
							"idx": idx,
							"_job": j,
							"subject": j["subject"],
							"unit": j["unit"],
							"status": (
								"Completed"
								if not is_open
								else "On Site"
								if j["arrived_at"] and j["arrived_at"] < end
								else "Dispatched"
							),
							"is_open": int(is_open),
							"explanation": (
								"大项维修，已向业主说明预计完成日期。"
								if j["job_class"] == K.MAJOR
								else "等待配件或业主预约时间。"
							)
							if is_open
							else None,
							"creation": end - hours(1),
						}
					)
			day = add_days(day, 1)

	def liaison_sheets(self, estate: Estate) -> None:
		"""R16, R17: each month's developer-liable repairs go on one batch liaison sheet; the newest are still on
		their way through the signatures (every step of the workflow), the older ones replied and closed."""
		cases = [
			r
			for r in self.cases
			if r["property"] == estate.name
			and r.get("needs_liaison_sheet")
			and r.get("_job")
			and r["_job"]["completed_at"]
		]
		if not cases:
			return
		developer = frappe.db.get_value("Property", estate.name, "developer")
		months = defaultdict(list)
		for r in cases:
			months[r["call_started_at"].strftime("%Y-%m")].append(r)
		offset = self.rng.randint(0, 2)
		for age, key in enumerate(sorted(months, reverse=True)):
			state = SHEET_STEPS[min(age + offset, len(SHEET_STEPS) - 1)]
			rows = months[key]
			made = max(r["_job"]["completed_at"] for r in rows) + hours(2)
			if made > self.plan.now:
				made = self.plan.now - hours(1)
			stamp = stamps(made, SHEET_STEPS.index(state), 0.5)
			amounts = [round(self.rng.uniform(80, 2600), -1) for _r in rows]
			sent = stamp(4)
			sheet = {
				"subject": f"{estate.name}{key}开发商责任维修汇总",
				"purpose": "Developer-Liable Repair",
				"developer": developer,
				"developer_type": frappe.db.get_value("Property", estate.name, "developer_type"),
				"property": estate.name,
				"liable_party": "Developer",
				"work_timing": "After the Sheet",
				"requested_amount": sum(amounts),
				"is_batch": 1,
				"content": "本月代开发商维修项目汇总，请确认维修责任及费用。",
				"workflow_state": state,
				"director_signed_by": estate.director if stamp(1) else None,
				"director_signed_at": stamp(1),
				"cs_reviewed_by": self.cs_manager if stamp(2) else None,
				"cs_reviewed_at": stamp(2),
				"gm_signed_by": self.general_manager if stamp(3) else None,
				"gm_signed_at": stamp(3),
				"sent_at": sent,
				"reply_deadline": sent and sent + timedelta(days=self.reply_days),
				"reply_decision": "Confirmed" if stamp(5) else None,
				"agreed_amount": sum(amounts) if stamp(5) else None,
				"reply_channel": "Portal" if stamp(5) else None,
				"replied_by": "开发商联系人" if stamp(5) else None,
				"replied_at": stamp(5),
				"reply_recorded_by": self.cs_manager if stamp(5) else None,
				"closed_at": stamp(6),
				"creation": made,
				"owner": estate.duty[0],
				"_made": made,
			}
			self.sheets.append(sheet)
			for idx, (r, amount) in enumerate(zip(rows, amounts, strict=True), 1):
				self.sheet_cases.append(
					{
						"_sheet": sheet,
						"idx": idx,
						"_case": r,
						"unit": r["unit"],
						"subject": r["subject"],
						"amount": amount,
					}
				)

	def settlement_claims(self, estate: Estate) -> None:
		"""R41–R44: a few leaks a month end in a claim for the damage; small ones answered on the spot, large
		ones through a plan, the general manager and a signed memo."""
		leaks = [
			r
			for r in self.cases
			if r["property"] == estate.name
			and "渗" in r["subject"]
			and r.get("_job")
			and r["_job"]["completed_at"]
		]
		leaks = leaks[:: max(1, len(leaks) // 12)][:12]
		for age, r in enumerate(sorted(leaks, key=lambda r: r["call_started_at"], reverse=True)):
			claimed = round(
				self.rng.choice(
					(self.rng.uniform(200, self.threshold), self.rng.uniform(self.threshold * 1.5, 30000))
				),
				-1,
			)
			small = claimed <= self.threshold
			steps = SMALL_STEPS if small else LARGE_STEPS
			state = steps[min(age, len(steps) - 1)] if age < len(steps) else steps[-1]
			n = steps.index(state)
			made = r["_job"]["completed_at"] + hours(3)
			stamp = stamps(made, n, 1)
			settled = (
				round(claimed * self.rng.uniform(0.5, 0.9), -1)
				if state in ("Small Claim Answered", "Memo Signed", "Settled")
				else None
			)
			self.settlements.append(
				{
					"_case": r,
					"unit": r["unit"],
					"property": estate.name,
					"resident_name": r["contact_name"],
					"responsible_director": estate.director,
					"claimed_amount": claimed,
					"settled_amount": settled,
					"threshold": self.threshold,
					"claim_size": "Small" if small else "Large",
					"liable_party": r.get("liable_party")
					if r.get("liable_party") in ("Developer", "Maintenance Fund", "Owner")
					else "Developer",
					"claim": "渗漏导致室内装修及家具损坏，要求赔偿。",
					"phone_approver": "开发商工程部" if small and n >= 1 else None,
					"phone_approved_at": stamp(1) if small else None,
					"answered_on_spot": int(small and n >= 1),
					"plan": "由责任方承担主要损失，协商赔付。" if not small and n >= 1 else None,
					"plan_by": self.cs_manager if not small and n >= 2 else None,
					"gm_signed_by": self.general_manager if not small and n >= 3 else None,
					"gm_signed_at": stamp(3) if not small else None,
					"memo_terms": "双方协商一致，一次性赔付，业主不再追究。"
					if not small and n >= 4
					else None,
					"resident_signed_at": stamp(4) if not small else None,
					"settled_with_party_at": stamp(len(steps) - 1) if state == "Settled" else None,
					"workflow_state": state,
					"creation": made,
					"owner": estate.director,
				}
			)

	# -- writing -------------------------------------------------------------------------------------------------

	def write(self) -> None:
		now, plan = self.plan.now, self.plan
		named(lambda y: f"PH-{y}-", self.cases, "call_started_at")
		named(lambda y: f"WO-{y}-", self.jobs, "dispatched_at")
		for job in self.jobs:
			self.names[job["_name"]] = job["name"]
		for row in self.cases:
			job = row.get("_job")
			if job:
				job["service_ticket"] = row["name"]
				job["rework_of"] = job["proposed_rework_of"] = self.names.get(job["rework_of"])
			escalated = json.loads(row["escalated_levels"] or "{}")
			if job and C.JOB_KEY in escalated:
				escalated[C.JOB_KEY] = job["name"]
				row["escalated_levels"] = json.dumps(escalated, sort_keys=True)
			plan.verdicts[row["name"]] = row["_verdict"]
			plan.outcomes[row["name"]] = row["_outcomes"]
			plan.property_of[row["name"]] = row["property"]
		for job in self.jobs:
			if job["completed_at"]:
				plan.jobs[(job["property"], "completed")] += 1
				plan.jobs[(job["property"], "rework")] += int(bool(job["rework_of"]))
				if job["dispatched_class"] == K.MINOR:
					plan.jobs[(job["property"], "minor")] += 1
					plan.jobs[(job["property"], "minor_on_time")] += int(job["_on_time"])
		self.escalation_rows()
		for doctype, rows in (
			(CASE, self.cases),
			(WORK_ORDER, self.jobs),
		):
			for r in rows:
				r["modified"] = max(
					v for k, v in r.items() if isinstance(v, datetime) and not k.startswith("_") and v <= now
				)
			self.insert(doctype, rows)
		self.insert(
			"Work Order Item",
			[
				{**child(i["_job"]["name"], WORK_ORDER, "items", 1, i["_job"]["creation"]), **i}
				for i in self.items
			],
		)
		self.insert(
			"Clock Pause",
			[{**child(p["_case"]["name"], CASE, "pauses", 1, p["paused_at"]), **p} for p in self.pauses],
		)
		for v in self.visits:
			v.update(
				service_ticket=v["_case"]["name"],
				work_order=v["_job"]["name"],
				property=v["_case"]["property"],  # as fetch_from gives it (R4 reads it)
				creation=v["visited_at"],
				modified=v["visited_at"],
				owner=v["visitor"],
			)
		named(lambda y: f"RV-{y}-", self.visits, "visited_at")
		self.insert(RETURN_VISIT, self.visits)
		self.resident_messages()
		self.insert(ESCALATION, self.escalations)
		self.insert(JOB_LOG, self.logs)
		self.insert(
			"Job Log Entry",
			[
				{
					**child(e["parent"], JOB_LOG, "entries", e["idx"], e["creation"]),
					**e,
					"work_order": e["_job"]["name"],
				}
				for e in self.log_entries
			],
		)
		for s in self.sheets:
			s["modified"] = max(v for k, v in s.items() if isinstance(v, datetime) and not k.startswith("_"))
		named(lambda y: f"LS-{y}-", self.sheets, "creation")
		self.insert(LIAISON_SHEET, self.sheets)
		self.insert(
			"Liaison Sheet Case",
			[
				{
					**child(r["_sheet"]["name"], LIAISON_SHEET, "cases", r["idx"], r["_sheet"]["creation"]),
					**r,
					"service_ticket": r["_case"]["name"],
				}
				for r in self.sheet_cases
			],
		)
		for s in self.settlements:
			s["service_ticket"] = s["_case"]["name"]
			s["modified"] = max(v for k, v in s.items() if isinstance(v, datetime) and not k.startswith("_"))
		named(lambda y: f"CS-{y}-", self.settlements, "creation")
		self.insert(SETTLEMENT, self.settlements)
		# R15: the jobs still open are on their technicians' lists (Frappe's assignment), as dispatch left them
		for job in self.jobs:
			if not job["completed_at"]:
				notify.assign_now(
					WORK_ORDER,
					job["name"],
					job["technician"],
					job_description(frappe._dict(job)),
					priority="High" if job["is_emergency"] else "Medium",
				)

	def escalation_rows(self) -> None:
		steps = [s for row in self.cases for s in row["_steps"]]
		if not steps:
			return
		cases = [
			frappe._dict(property=r["property"], follow_up_owner=r["follow_up_owner"], name=r["name"])
			for r in self.cases
			if r["_steps"]
		]
		targets = Targets(
			cases, [(r, clock, level, deadline, job) for r, clock, level, deadline, job, _at in steps]
		)
		for row, clock, level, deadline, job, at in steps:
			work_order = self.names.get(job) if job else None
			case = frappe._dict(property=row["property"], follow_up_owner=row["follow_up_owner"])
			self.escalations.append(
				{
					"name": escalation_name(row["name"], clock, level, work_order),
					"service_ticket": row["name"],
					"work_order": work_order,
					"clock": clock,
					"level": level,
					"deadline": deadline,
					"escalated_at": at,
					"notified_user": self.level_user(targets, level, case, clock),
					"creation": at,
					"modified": at,
					"owner": "Administrator",
				}
			)

	def level_user(self, targets, level, case, clock):
		if level == "CS Manager" and self.cs_manager:
			return self.cs_manager
		if level == "General Manager" and self.general_manager:
			return self.general_manager
		users = targets.users(level, case, clock)
		# as the job records it: the one person told, or nobody named when several were (each told in their own)
		return users[0] if len(users) == 1 else None

	def resident_messages(self) -> None:
		"""R34, R10, R36, R24: what the resident was told at each step, sent by SMS at the time (a few numbers
		out of service: failed after every attempt, on the Failed Resident Messages report)."""
		rows = []
		visits = {id(v["_case"]): v for v in self.visits}
		for case in self.cases:
			job = case.get("_job")
			told = [
				(
					MESSAGE_ACCEPTED,
					case["call_started_at"] + minutes(1),
					None,
					f"您的来电已受理，单号{case['name']}，跟进人{case['follow_up_owner_name']}。",
				)
			]
			if job:
				told.append(
					(
						MESSAGE_DISPATCHED,
						job["dispatched_at"] + minutes(1),
						job,
						f"维修师傅已派出，单号{case['name']}。",
					)
				)
				if job["completed_at"]:
					told.append(
						(
							MESSAGE_DONE,
							job["completed_at"] + minutes(2),
							job,
							f"{case['subject']}已完成，请确认并评价。",
						)
					)
			visit = visits.get(id(case))
			if visit:
				told.append((MESSAGE_RETURN_VISIT, visit["visited_at"], None, "感谢您接受回访。"))
			for step, at, ref, text in told:
				if at > self.plan.now:
					continue
				reference = (WORK_ORDER, ref["name"]) if ref else None
				failed = self.rng.random() < 0.005  # the gateway refused it after every attempt
				rows.append(
					{
						"service_ticket": case["name"],
						"property": case["property"],  # as fetch_from gives it (R4 reads it)
						"step": step,
						"resident": case["resident"],
						"reference_doctype": reference and reference[0],
						"reference_name": reference and reference[1],
						"channel": "SMS",
						"recipient": case["contact_phone"],
						"status": MESSAGE_FAILED if failed else MESSAGE_SENT,
						"subject": _("Case {0}: {1}", lang=RESIDENT_LANG).format(
							case["name"], _(step, lang=RESIDENT_LANG)
						),
						"text": text,
						"attempts": self.attempts if failed else 1,
						"sent_at": None if failed else at,
						"error": "短信网关返回错误：号码已停机或不存在。" if failed else None,
						"provider": "Frappe SMS Settings",
						"message_key": message_key(case["name"], step, reference, case["resident"], "SMS"),
						"creation": at,
						"modified": at,
						"owner": "Administrator",
					}
				)
		named(lambda y: f"RM-{y}-", rows, "creation")
		self.messages = rows
		self.insert(RESIDENT_MESSAGE, rows)

	def insert(self, doctype: str, rows: list[dict]) -> None:
		"""Multi-row INSERTs of the rows' own columns (those starting with "_" are the generator's)."""
		if not rows:
			return
		columns = sorted(
			{k for r in rows for k in r if not k.startswith("_")} | {"modified_by", "owner", "modified"}
		)
		meta = frappe.get_meta(doctype)
		numbers = {f.fieldname for f in meta.fields if f.fieldtype in NUMBERS} & set(columns)
		for r in rows:
			r.setdefault("owner", "Administrator")
			r.setdefault("modified_by", r["owner"])
			r.setdefault("modified", r.get("creation"))
			for f in numbers:
				if r.get(f) is None:
					r[f] = 0  # the column's default, which an explicit NULL would not get
		for start in range(0, len(rows), CHUNK):
			insert_rows(doctype, columns, [[r.get(c) for c in columns] for r in rows[start : start + CHUNK]])
		self.plan.rows[doctype] += len(rows)

	# -- small helpers -------------------------------------------------------------------------------------------

	def rule(self, component: str | None) -> str | None:
		if component not in self.rules:
			self.rules[component] = warranty_rule(component) if component else None
		return self.rules[component]

	def full_name(self, user: str) -> str | None:
		return self.user(user)[0]

	def mobile(self, user: str) -> str | None:
		return self.user(user)[1]

	def user(self, user: str):
		key = ("user", user)
		if key not in self.names:
			self.names[key] = frappe.db.get_value("User", user, ["full_name", "mobile_no"]) or (None, None)
		return self.names[key]


def past(moment: datetime, now: datetime) -> datetime | None:
	return moment if moment <= now else None


def stamps(made: datetime, reached: int, days_a_step: float):
	"""The stamp of each workflow step up to the one `reached`, a step every `days_a_step` days after `made`."""

	def stamp(step: int) -> datetime | None:
		return made + timedelta(days=step * days_a_step) if reached >= step else None

	return stamp


def child(parent: str, parenttype: str, parentfield: str, idx: int, at) -> dict:
	return {
		# Frappe's own child names are 10 characters; over the millions of rows a large history has, those
		# collide (benchmarks/load), so the history's are longer
		"name": frappe.generate_hash(length=20),
		"parent": parent,
		"parenttype": parenttype,
		"parentfield": parentfield,
		"idx": idx,
		"creation": at,
		"modified": at,
	}


def bill(plan: Plan, jobs: list[dict], count: int, biller: str) -> None:
	"""R39: the older paid jobs, completed and signed, billed through the app's own path (the resident's
	ERPNext Customer made when first billed, a Sales Invoice) and paid at the front desk (a Payment Entry,
	the 收据) — one in twenty of the latest left invoiced and unpaid, and the newest in the billing queue."""
	from property_helpdesk.services.billing import ensure_fee_schedule, invoice_work_order
	from property_helpdesk.setup.builders import pay_invoice

	ensure_fee_schedule()
	ready = sorted((j for j in jobs if j.get("resident_signature")), key=lambda j: j["completed_at"])
	to_bill = ready[: len(ready) - min(5, len(ready) // 4)][-count:] if count else []
	unpaid = len(to_bill) // 20
	user = frappe.session.user
	frappe.set_user(biller)
	try:
		for i, job in enumerate(to_bill):
			invoice = invoice_work_order(job["name"])
			if frappe.db.get_value("Sales Invoice", invoice, "docstatus") == 0:
				frappe.get_doc("Sales Invoice", invoice).submit()
			if i < len(to_bill) - unpaid:
				pay_invoice(invoice, f"收据-{job['name']}")
			plan.invoices.append(invoice)
	finally:
		frappe.set_user(user)

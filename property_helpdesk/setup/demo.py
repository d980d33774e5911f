"""Demo data: a living property office (README command 1). Idempotent: what exists is left alone.

Three properties (one by the parent developer, one by an external developer, one older estate past its
warranty), buildings and units with handover dates, residents, staff users who work for their properties
(Frappe User Permissions on Property, R4; company departments hold none), named cases in many states, and a
year of history behind them (setup/demo_history.py) so that every report, chart and card has figures.
"""

import time

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, add_to_date, now_datetime, today

from property_helpdesk.constants import (
	CASE,
	CLOSED,
	COMPLAINT,
	CS_MANAGER,
	DEVELOPER,
	DEVELOPER_CONTACT,
	DUTY_STAFF,
	ENGINEERING_MANAGER,
	ENQUIRY,
	GENERAL_MANAGER,
	IN_PROGRESS,
	JOB_LOG,
	LIAISON_SHEET,
	MAINTENANCE_SUPERVISOR,
	OFFICE_DIRECTOR,
	PAID_SERVICE,
	PROPERTY,
	QUALITY_OFFICER,
	REPAIR,
	RESIDENT,
	RESIDENT_ROLE,
	RESOLVED,
	RETURN_VISIT,
	SERVICE_REQUEST,
	SETTINGS,
	SETTLEMENT,
	TECHNICIAN,
	WORK_ORDER,
)
from property_helpdesk.procedure.liability import COMMON, EXTERNAL_DEVELOPER, PARENT_DEVELOPER, PRIVATE
from property_helpdesk.setup import builders, demo_history
from property_helpdesk.setup.builders import (
	make_customer,
	make_developer,
	make_property,
	make_resident,
	make_ticket,
	make_unit,
	make_warranty_plan,
	pay_invoice,
	warranty_rule,
	work_order_of,
)

DEMO_PASSWORD = "demo@2026"

STAFF = (
	# email, full name, role, mobile
	("duty@demo.local", "李晓梅", DUTY_STAFF, "13800000001"),
	("director@demo.local", "王建国", OFFICE_DIRECTOR, "13800000002"),
	("csm@demo.local", "陈静", CS_MANAGER, "13800000003"),
	("gm@demo.local", "赵志远", GENERAL_MANAGER, "13800000004"),
	("supervisor@demo.local", "刘强", MAINTENANCE_SUPERVISOR, "13800000005"),
	("engineer@demo.local", "孙伟", ENGINEERING_MANAGER, "13800000006"),
	("tech@demo.local", "周师傅", TECHNICIAN, "13800000007"),
	("quality@demo.local", "吴敏", QUALITY_OFFICER, "13800000008"),
	# finance bills paid repairs in ERPNext (the Billing Queue report) and reads no case
	("finance@demo.local", "钱会计", "Accounts User", "13800000009"),
	("duty2@demo.local", "林小燕", DUTY_STAFF, "13800000010"),
	("tech2@demo.local", "马师傅", TECHNICIAN, "13800000011"),
	# the older estate's own office (锦园管理处)
	("jy-director@demo.local", "郑国华", OFFICE_DIRECTOR, "13800000012"),
	("jy-duty@demo.local", "何丽", DUTY_STAFF, "13800000013"),
	("jy-supervisor@demo.local", "冯建", MAINTENANCE_SUPERVISOR, "13800000014"),
	("jy-tech@demo.local", "韩师傅", TECHNICIAN, "13800000015"),
)

# R4: the properties each office's staff work for (their User Permissions); everyone else (客户服务部, 品质部,
# 工程部, 总经理, finance) works for the whole company and holds none.
TWO_OFFICES = ("顺发·翠苑", "江南·云庐")
WORKS_FOR = {
	"duty@demo.local": TWO_OFFICES,
	"duty2@demo.local": ("江南·云庐",),
	"director@demo.local": TWO_OFFICES,
	"supervisor@demo.local": TWO_OFFICES,
	"tech@demo.local": TWO_OFFICES,
	"tech2@demo.local": TWO_OFFICES,
	"jy-director@demo.local": ("顺发·锦园",),
	"jy-duty@demo.local": ("顺发·锦园",),
	"jy-supervisor@demo.local": ("顺发·锦园",),
	"jy-tech@demo.local": ("顺发·锦园",),
}

DEVELOPERS = (
	("顺发恒业房地产开发有限公司", PARENT_DEVELOPER, "黄经理", "0571-86660001"),
	("江南置业有限公司", EXTERNAL_DEVELOPER, "郑主管", "0571-86660002"),
)

PROPERTIES = (
	# name, developer, completion, office, handover of first unit
	("顺发·翠苑", "顺发恒业房地产开发有限公司", "2021-06-30", "翠苑管理处", "2021-10-01"),
	("江南·云庐", "江南置业有限公司", "2024-03-31", "云庐管理处", "2024-07-01"),
	# an older estate, long past the developer's warranty
	("顺发·锦园", "顺发恒业房地产开发有限公司", "2012-06-30", "锦园管理处", "2012-10-01"),
)
# who runs each property (the property's own posts, R4)
OFFICE = {
	"顺发·翠苑": ("director@demo.local", "duty@demo.local", "supervisor@demo.local"),
	"江南·云庐": ("director@demo.local", "duty@demo.local", "supervisor@demo.local"),
	"顺发·锦园": ("jy-director@demo.local", "jy-duty@demo.local", "jy-supervisor@demo.local"),
}

RESIDENTS = (
	("张伟", "13900000001", "顺发·翠苑-1幢-101", "resident@demo.local"),
	("王芳", "13900000002", "顺发·翠苑-1幢-102", None),
	("李娜", "13900000003", "顺发·翠苑-2幢-201", None),
	("刘洋", "13900000004", "江南·云庐-A座-1201", "resident2@demo.local"),
	("陈磊", "13900000005", "江南·云庐-A座-1202", None),
	("杨静", "13900000006", "江南·云庐-B座-801", None),
)


def load():
	frappe.flags.mute_emails = True
	make_staff()
	make_developers_and_properties()
	make_residents()
	make_cases()
	make_work()
	make_liaison()
	make_billing()
	make_history()
	frappe.db.commit()  # a bench execute entry point: keep what was made
	print_logins()


def make_user(email, full_name, roles, mobile=None, user_type="System User"):
	"""A demo login: Chinese desk, the demo password."""
	return builders.make_user(
		email,
		*roles,
		user_type=user_type,
		mobile=mobile,
		first_name=full_name,
		language="zh",
		password=DEMO_PASSWORD,
	)


def make_staff():
	for email, name, role, mobile in STAFF:
		make_user(email, name, [role], mobile)
	for email, properties in WORKS_FOR.items():
		for property_name in properties:
			allow_property(email, property_name)


def allow_property(user: str, property_name: str) -> None:
	"""R4: `user` works for `property_name` (a User Permission on Property, applied to every DocType)."""
	if not frappe.db.exists(PROPERTY, property_name):
		return  # made with the properties (make_developers_and_properties calls again)
	if frappe.db.exists("User Permission", {"user": user, "allow": PROPERTY, "for_value": property_name}):
		return
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user,
			"allow": PROPERTY,
			"for_value": property_name,
			"apply_to_all_doctypes": 1,
		}
	).insert(ignore_permissions=True)


def make_developers_and_properties():
	for name, dev_type, contact, phone in DEVELOPERS:
		make_developer(name, dev_type, make_customer(name, "Company"), contact, phone)
	settings = frappe.get_single(SETTINGS)
	if not settings.parent_developer:
		settings.parent_developer = DEVELOPERS[0][0]
		settings.save(ignore_permissions=True)

	buildings = {"顺发·翠苑": ("1幢", "2幢", "3幢"), "江南·云庐": ("A座", "B座"), "顺发·锦园": ("1幢",)}
	floors = {
		"顺发·翠苑": ("101", "102", "201", "202"),
		"江南·云庐": ("801", "1201", "1202"),
		"顺发·锦园": ("101",),
	}
	for name, developer, completion, office, handover in PROPERTIES:
		director, duty, supervisor = OFFICE[name]
		make_property(
			name,
			completion=completion,
			office_director=director,
			developer=developer,
			office=office,
			area_administrator=duty,
			maintenance_supervisor=supervisor,
		)
		for b, building in enumerate(buildings[name]):
			for u, unit_no in enumerate(floors[name]):
				make_unit(name, building, unit_no, handover=add_days(handover, 30 * b + 7 * u))
	for email, properties in WORKS_FOR.items():
		for property_name in properties:
			allow_property(email, property_name)


def make_residents():
	for name, phone, unit, user in RESIDENTS:
		if frappe.db.exists(RESIDENT, {"phone": phone}):
			continue
		if user:
			make_user(user, name, [RESIDENT_ROLE], phone, user_type="Website User")
		make_resident(name, phone, unit, user=user, customer=make_customer(name), owner_record=True)


def make_cases():
	if frappe.db.exists(CASE, {"subject": "卫生间地面渗漏到楼下"}):
		return
	now = now_datetime()
	resident = {r[2]: frappe.db.get_value(RESIDENT, {"phone": r[1]}) for r in RESIDENTS}

	def case(unit, ticket_type, subject, description, hours_ago=2, acceptor="duty@demo.local", **extra):
		name, phone = next((r[0], r[1]) for r in RESIDENTS if r[2] == unit)
		frappe.set_user(acceptor)
		doc = make_ticket(
			unit,
			ticket_type=ticket_type,
			call_started_at=add_to_date(now, hours=-hours_ago),
			resident=resident[unit],
			contact_name=name,
			contact_phone=phone,
			subject=subject,
			description=description,
			**extra,
		)
		frappe.set_user("Administrator")
		return doc

	case(
		"顺发·翠苑-1幢-101",
		REPAIR,
		"卫生间地面渗漏到楼下",
		"楼下业主反映天花板有水渍，疑似卫生间防水层破损。",
		location=PRIVATE,
		warranty_rule=warranty_rule("卫生间、房间和外墙面防渗漏"),
		is_quality_defect=1,
	)
	case(
		"顺发·翠苑-1幢-102",
		REPAIR,
		"厨房水龙头滴水",
		"更换水龙头阀芯。",
		hours_ago=5,
		location=PRIVATE,
		status=IN_PROGRESS,
	)
	case(
		"顺发·翠苑-2幢-201",
		REPAIR,
		"楼道灯不亮",
		"2幢2楼楼道声控灯不亮。",
		hours_ago=30,
		location=COMMON,
		status=RESOLVED,
		result="已更换声控开关，灯具恢复正常。",
		answer_to_resident="已电话告知业主维修完成，业主表示满意。",
	)
	case(
		"江南·云庐-A座-1201",
		REPAIR,
		"入户门门锁损坏",
		"门锁五金件损坏，无法反锁。",
		hours_ago=1,
		location=PRIVATE,
		warranty_rule=warranty_rule("门窗翘裂、五金件损坏"),
		is_quality_defect=1,
	)
	case(
		"江南·云庐-A座-1202",
		REPAIR,
		"水管爆裂急修",
		"厨房给水管爆裂，正在漏水。",
		hours_ago=0.2,
		location=PRIVATE,
		is_emergency=1,
		channel="Visit",
	)
	case(
		"江南·云庐-B座-801",
		PAID_SERVICE,
		"室内保洁",
		"业主预约周六上午室内保洁。",
		hours_ago=20,
		location=PRIVATE,
	)
	case(
		"顺发·翠苑-1幢-101",
		ENQUIRY,
		"物业费缴纳方式",
		"咨询物业费是否可以线上缴纳。",
		hours_ago=50,
		status=CLOSED,
		result="已告知可通过门户及银行代扣缴纳。",
		answer_to_resident="已当面答复。",
	)
	complaint = case(
		"顺发·翠苑-1幢-102",
		COMPLAINT,
		"保安服务态度差",
		"夜间进门时门岗保安态度恶劣。",
		hours_ago=26,
		complaint_ground="A4.3.1.6",
		is_service_quality=1,
	)
	case(
		"江南·云庐-A座-1201",
		COMPLAINT,
		"外墙大面积渗水要求赔偿",
		"雨季外墙渗水导致木地板损坏，要求赔偿。",
		hours_ago=8,
		complaint_ground="A4.3.2.2",
		is_major=1,
	)
	slow = case(
		"顺发·翠苑-2幢-201", SERVICE_REQUEST, "申请更换单元门禁卡", "门禁卡丢失，需补办。", hours_ago=72
	)
	frappe.set_user("duty@demo.local")
	slow.record_reminder("Phone", "业主来电催办")
	slow.reload()
	slow.record_reminder("Visit", "业主到前台再次催办")
	complaint.reload()
	complaint.hand_over("director@demo.local", "服务质量投诉由管理处主任跟进", "管理处")
	frappe.set_user("Administrator")


def make_work():
	"""Work orders in several states, a return visit, a warranty repair plan awaiting approval, a job log."""
	if frappe.db.exists(RETURN_VISIT, {"comments": "业主对楼道灯维修满意"}):
		return
	for prop in TWO_OFFICES:
		frappe.db.set_value(PROPERTY, prop, "maintenance_supervisor", "supervisor@demo.local")

	def work_order(subject):
		ticket = frappe.db.get_value(CASE, {"subject": subject}, ["name", "call_started_at"], as_dict=True)
		return ticket, work_order_of(
			ticket.name, dispatched_at=add_to_date(ticket.call_started_at, minutes=3)
		)

	ticket, wo = work_order("楼道灯不亮")
	wo.update(
		{
			"technician": "tech@demo.local",
			"arrived_at": add_to_date(ticket.call_started_at, minutes=14),
			"started_at": add_to_date(ticket.call_started_at, minutes=16),
			"completed_at": add_to_date(ticket.call_started_at, minutes=70),
			"returned_at": add_to_date(ticket.call_started_at, hours=5),
			"work_done": "更换声控开关一只",
			"items": [
				{"item_type": "Material", "item_name": "声控开关", "qty": 1, "rate": 25},
				{"item_type": "Labour", "item_name": "电工维修", "qty": 1, "rate": 0},
			],
		}
	)
	wo.save()
	frappe.set_user("duty@demo.local")
	frappe.get_doc(
		{
			"doctype": RETURN_VISIT,
			"service_ticket": ticket.name,
			"work_order": wo.name,
			"channel": "Phone",
			"satisfaction": "Satisfied",
			"comments": "业主对楼道灯维修满意",
		}
	).insert()
	frappe.set_user("Administrator")

	ticket, wo = work_order("厨房水龙头滴水")
	wo.update(
		{"technician": "tech@demo.local", "arrived_at": add_to_date(ticket.call_started_at, minutes=20)}
	)
	wo.save()

	ticket, wo = work_order("卫生间地面渗漏到楼下")
	wo.update({"job_class": "Major", "major_reason": "Major Repair", "technician": "tech@demo.local"})
	wo.save()
	frappe.set_user("supervisor@demo.local")
	make_warranty_plan(wo.name, "凿除卫生间地面，重做防水层，闭水试验48小时后恢复地面。", days=5)
	log = frappe.get_doc({"doctype": JOB_LOG, "property": "顺发·翠苑", "log_date": today()}).insert()
	log.fill_entries()
	frappe.set_user("Administrator")


DEVELOPER_CONTACTS = (
	("parent-dev@demo.local", "黄经理", "顺发恒业房地产开发有限公司"),
	("external-dev@demo.local", "郑主管", "江南置业有限公司"),
)


def make_liaison():
	"""Liaison sheets at several steps (one sent to the external developer awaiting its reply, a batch in
	draft) and two settlements, small and large."""
	if frappe.db.exists(LIAISON_SHEET, {"subject": "云庐入户门锁质量问题确认"}):
		return

	for email, name, developer in DEVELOPER_CONTACTS:
		make_user(email, name, [DEVELOPER_CONTACT], user_type="Website User")
		dev = frappe.get_doc(DEVELOPER, developer)
		if not any(row.user == email for row in dev.contact_users):
			dev.append("contact_users", {"user": email})
			dev.save(ignore_permissions=True)

	def ticket(subject):
		return frappe.db.get_value(CASE, {"subject": subject})

	def step(doc, who, action):
		frappe.set_user(who)
		doc = apply_workflow(frappe.get_doc(doc.doctype, doc.name), action)
		frappe.set_user("Administrator")
		return doc

	frappe.set_user("duty@demo.local")
	sent = frappe.get_doc(
		{
			"doctype": LIAISON_SHEET,
			"subject": "云庐入户门锁质量问题确认",
			"purpose": "Developer-Liable Repair",
			"developer": "江南置业有限公司",
			"property": "江南·云庐",
			"liable_party": "Developer",
			"content": "业主反映入户门锁五金件损坏，仍在交付保质期内，请确认维修责任及费用。",
			"cases": [{"service_ticket": ticket("入户门门锁损坏"), "amount": 380}],
		}
	).insert()
	for who, action in (
		("director@demo.local", "Sign"),
		("csm@demo.local", "Review"),
		("gm@demo.local", "Sign"),
		("csm@demo.local", "Send to Developer"),
	):
		sent = step(sent, who, action)

	frappe.set_user("duty@demo.local")
	frappe.get_doc(
		{
			"doctype": LIAISON_SHEET,
			"subject": "翠苑十一月开发商遗留问题汇总",
			"purpose": "Developer-Liable Repair",
			"developer": "顺发恒业房地产开发有限公司",
			"property": "顺发·翠苑",
			"liable_party": "Developer",
			"work_timing": "After the Sheet",
			"content": "本月代开发商维修项目汇总，请确认费用。",
			"cases": [
				{"service_ticket": ticket("卫生间地面渗漏到楼下"), "amount": 2600},
				{"service_ticket": ticket("厨房水龙头滴水"), "amount": 120},
			],
		}
	).insert()

	frappe.set_user("director@demo.local")
	small = frappe.get_doc(
		{
			"doctype": SETTLEMENT,
			"service_ticket": ticket("厨房水龙头滴水"),
			"claimed_amount": 300,
			"settled_amount": 200,
			"claim": "滴水损坏橱柜板，要求赔偿。",
			"phone_approver": "顺发恒业 黄经理",
			"phone_approved_at": now_datetime(),
			"answered_on_spot": 1,
		}
	).insert()
	step(small, "director@demo.local", "Answer Small Claim")
	frappe.set_user("director@demo.local")
	large = frappe.get_doc(
		{
			"doctype": SETTLEMENT,
			"service_ticket": ticket("外墙大面积渗水要求赔偿"),
			"claimed_amount": 20000,
			"claim": "雨季外墙渗水导致木地板及墙纸损坏。",
			"plan": "由开发商承担主要损失，力争不超过15000元。",
		}
	).insert()
	step(large, "director@demo.local", "Refer to Customer Service")
	step(large, "csm@demo.local", "Submit Plan")
	frappe.set_user("Administrator")


def make_billing():
	"""The paid cleaning done, signed by the resident, invoiced in ERPNext and paid (R39)."""
	from property_helpdesk.services.billing import ensure_fee_schedule

	ensure_fee_schedule()
	ticket = frappe.db.get_value(CASE, {"subject": "室内保洁"}, ["name", "call_started_at"], as_dict=True)
	wo = work_order_of(ticket.name)
	if not wo.sales_invoice:
		complete_paid_job(ticket)
	pay_at_the_front_desk(frappe.db.get_value(WORK_ORDER, wo.name, "sales_invoice"))


def complete_paid_job(ticket):
	from property_helpdesk.services.billing import invoice_work_order

	wo = work_order_of(ticket.name, dispatched_at=add_to_date(ticket.call_started_at, minutes=4))
	wo.update(
		{
			"technician": "tech@demo.local",
			"arrived_at": add_to_date(ticket.call_started_at, hours=1),
			"completed_at": add_to_date(ticket.call_started_at, hours=3),
			"work_done": "客厅、厨房、卫生间深度保洁",
			"items": [
				{
					"item_type": "Labour",
					"item_code": "室内保洁（每小时）",
					"item_name": "室内保洁",
					"qty": 2,
					"rate": 40,
				}
			],
			"resident_confirmed": 1,
			"quality_rating": 1,
			"timeliness_rating": 0.8,
			"attitude_rating": 1,
			"resident_signature": "data:image/png;base64,iVBORw0KGgo=",
		}
	)
	wo.save()
	frappe.set_user("finance@demo.local")
	invoice_work_order(wo.name)
	frappe.set_user("Administrator")


def pay_at_the_front_desk(invoice):
	"""The resident pays: the Payment Entry whose print is the resident's receipt (收据, /my_receipts)."""
	if not invoice or frappe.db.exists(
		"Payment Entry Reference", {"reference_name": invoice, "docstatus": 1}
	):
		return
	frappe.set_user("finance@demo.local")
	pay_invoice(invoice, "收据-DEMO-0001")
	frappe.set_user("Administrator")


# The year behind the named cases: how busy and how punctual each office is (R29, R30), who takes its calls
# and who does its jobs.
ESTATES = (
	demo_history.Estate(
		name="顺发·翠苑",
		buildings=("1幢", "2幢", "3幢", "4幢", "5幢", "6幢"),
		floors=10,
		handover="2021-10-01",
		director="director@demo.local",
		supervisor="supervisor@demo.local",
		duty=("duty@demo.local",),
		technicians=("tech@demo.local", "tech2@demo.local"),
		cases_per_day=3.6,
		on_time=0.96,
		in_warranty=True,  # the parent developer's waterproofing warranty still runs (R16)
		phone_prefix="1371",
	),
	demo_history.Estate(
		name="江南·云庐",
		buildings=("A座", "B座", "C座", "D座"),
		floors=12,
		handover="2024-07-01",
		director="director@demo.local",
		supervisor="supervisor@demo.local",
		duty=("duty@demo.local", "duty2@demo.local"),
		technicians=("tech@demo.local", "tech2@demo.local"),
		cases_per_day=2.6,
		on_time=0.92,
		in_warranty=True,  # the external developer's defects go on liaison sheets (R17)
		phone_prefix="1372",
	),
	demo_history.Estate(
		name="顺发·锦园",
		buildings=("1幢", "2幢", "3幢", "4幢", "5幢", "6幢", "7幢", "8幢"),
		floors=6,
		handover="2012-10-01",
		director="jy-director@demo.local",
		supervisor="jy-supervisor@demo.local",
		duty=("jy-duty@demo.local",),
		technicians=("jy-tech@demo.local",),
		cases_per_day=3.0,
		on_time=0.88,
		in_warranty=False,
		phone_prefix="1373",
	),
)


def make_history(days: int = 365, invoices: int = 80):
	"""A year of history for the three properties, loaded in bulk; nothing when it is there already."""
	began = time.monotonic()
	plan = demo_history.load(
		list(ESTATES),
		days=days,
		invoices=invoices,
		biller="finance@demo.local",
		cs_manager="csm@demo.local",
		general_manager="gm@demo.local",
	)
	cases = sum(plan.cases.values())
	if cases:
		print(
			f"Demo history: {cases} cases, {plan.rows[WORK_ORDER]} work orders, "
			f"{plan.rows['Escalation']} escalation rows, {plan.rows['Resident Message']} resident messages, "
			f"{len(plan.invoices)} invoices, {sum(plan.rows.values())} rows in {time.monotonic() - began:.1f} s"
		)
	else:
		print("Demo history: already loaded, nothing added")
	return plan


def print_logins():
	site_url = frappe.utils.get_url()
	lines = [
		"",
		f"Property Helpdesk demo: {site_url}",
		"  Administrator / (the admin password given to bootstrap)",
		*[
			f"  {email} / {DEMO_PASSWORD}  ({role}{', ' + '、'.join(WORKS_FOR[email]) if email in WORKS_FOR else ''})"
			for email, _name, role, _m in STAFF
		],
		f"  resident@demo.local / {DEMO_PASSWORD}  (resident portal)",
		f"  resident2@demo.local / {DEMO_PASSWORD}  (resident portal)",
		*[
			f"  {email} / {DEMO_PASSWORD}  (developer contact, {dev}: /developer_sheets)"
			for email, _n, dev in DEVELOPER_CONTACTS
		],
	]
	print("\n".join(lines))

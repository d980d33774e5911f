"""Cases whose workspace figures are computed by hand (R27, R29, R30, R32), shared by the workspace's HTTP and
browser tests. Committed (the web server reads through its own connection), each under the caller's own
property names, and removed by `remove`.

Every time lies within this month and before now, whatever the day: "this month" starts at the first (a case
called before it counts in no figure of the month, a job completed this month does). Each case is taken by the duty
agent and its job completed through the work order's own save, as on the desk.

Per property, the month's figures:
- cases received this month (R29): `on_time` (job done in minutes), `reopened` (done and answered, then the
  resident calls back: late), `reworked` (its first job done, then redone: on time, its case never reopened),
  `pending` (called an hour ago, or at the month's start), `complaint` (a ground of R32, not yet due): on time 2, late 1 → 66.7%;
- called before the month: `late_job` (done this month, days after the call: a late minor/urgent job of the
  month, R30), `overdue` (still open past its deadline: overdue today), and `due_soon` (called 23 hours ago: due
  within the hour);
- jobs completed this month (R30): on_time, reopened, reworked's first job and its rework, late_job: 5 minor or
  urgent, 4 on time → 80.0%; 1 rework of 5 → 20.0%.
"""

from datetime import datetime, timedelta

import frappe
from frappe.utils import get_first_day, getdate, now_datetime

from property_helpdesk.constants import COMPLAINT, OFFICE_DIRECTOR, WORK_ORDER
from tests.integration.factories import delete_cases, make_property, make_ticket, make_unit, make_user

MINOR = "Minor or Urgent"


def month_start() -> datetime:
	return datetime.combine(get_first_day(getdate()), datetime.min.time())


class Clock:
	"""Moments of this month before now: `at(f)` is a fraction f of the way from the later of the month's start
	and two hours ago, to a minute ago (in the month's first ten minutes, to nine tenths of the way to now)."""

	def __init__(self):
		self.now = now_datetime()
		self.start = max(month_start(), self.now - timedelta(hours=2))
		self.span = (
			max(self.now - timedelta(minutes=1), self.start + (self.now - self.start) * 0.9) - self.start
		)

	def at(self, fraction: float) -> datetime:
		return self.start + self.span * fraction


def complete(ticket_name: str, called: datetime, completed: datetime, technician: str):
	"""The case's job dispatched with its class and done at `completed` (R20–R22, R30): dispatched 5 and on site
	10 seconds after the call, or at a quarter and a half of the way to `completed` when it is nearer."""
	wo = frappe.get_doc(WORK_ORDER, {"service_ticket": ticket_name})
	second = min(timedelta(seconds=1), (completed - called) / 20)
	wo.db_set({"dispatched_at": called + 5 * second, "dispatched_class": MINOR}, update_modified=False)
	wo.reload()
	wo.update(
		{
			"job_class": MINOR,
			"technician": technician,
			"arrived_at": called + 10 * second,
			"completed_at": completed,
		}
	)
	wo.save()
	return wo


def seed(prop_name: str, ground: str, people: dict) -> frappe._dict:
	"""The cases above for a new property `prop_name`; returns them by key, with `clock` and `unit`."""
	delete_cases(prop_name)
	unit = make_unit(make_property(prop_name), "1幢", "101")
	clock = Clock()
	before_month = month_start() - timedelta(days=2)  # more than a day before any moment of this month
	c = frappe._dict(clock=clock, unit=unit)

	def case(called, **kw):
		frappe.set_user(people["agent"])
		ticket = make_ticket(unit, call_started_at=called, **kw)
		frappe.set_user("Administrator")
		return ticket

	tech = people["tech"]
	c.on_time = case(clock.at(0.0))
	complete(c.on_time.name, clock.at(0.0), clock.at(0.1), tech)

	c.reopened = case(clock.at(0.1))
	complete(c.reopened.name, clock.at(0.1), clock.at(0.2), tech)
	doc = frappe.get_doc("Service Ticket", c.reopened.name)
	# the answer's time is the server's (permission level 1): the test dates it, as Administrator may
	doc.update(
		{
			"result": "已处理",
			"answer_to_resident": "已电话答复业户",
			"answered_at": clock.at(0.25),
			"status": "Resolved",
		}
	)
	doc.save()
	doc.reload()
	doc.status = "In Progress"  # the resident calls back: not fixed (R29: late)
	doc.save()

	c.reworked = case(clock.at(0.3))
	first = complete(c.reworked.name, clock.at(0.3), clock.at(0.4), tech)
	c.rework = frappe.get_doc(
		{
			"doctype": WORK_ORDER,
			"service_ticket": c.reworked.name,
			"rework_of": first.name,
			"job_class": MINOR,
			"technician": tech,
			"dispatched_at": clock.at(0.5),
			"arrived_at": clock.at(0.55),
			"completed_at": clock.at(0.6),
		}
	).insert(ignore_permissions=True)

	c.pending = case(max(clock.now - timedelta(hours=1), month_start()))  # in the month's first hour too
	c.complaint = case(clock.at(0.7), ticket_type=COMPLAINT, complaint_ground=ground)

	c.late_job = case(before_month)
	# done this month, two days and an hour after the call: late (R30), yet within the three days after which
	# a job needs a warranty repair plan (R25) whatever today's date
	complete(c.late_job.name, before_month, min(month_start() + timedelta(hours=1), clock.at(0.8)), tech)
	c.overdue = case(before_month + timedelta(hours=1))
	c.due_soon = case(clock.now - timedelta(hours=23))
	frappe.db.commit()
	return c


def people(prefix: str) -> dict:
	return {
		"agent": make_user(f"{prefix}-agent@workspace.test", "Property Duty Staff"),
		"tech": make_user(f"{prefix}-tech@workspace.test", "Property Maintenance Technician"),
	}


def director_of(email: str, prop_name: str) -> str:
	"""An office director working for one property (a User Permission on Property, R4)."""
	user = make_user(email, OFFICE_DIRECTOR)
	if not frappe.db.exists("User Permission", {"user": user, "allow": "Property", "for_value": prop_name}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Property", "for_value": prop_name}
		).insert(ignore_permissions=True)
	return user


def remove(*prop_names: str) -> None:
	frappe.db.rollback()
	for prop_name in prop_names:
		delete_cases(prop_name)
	frappe.db.commit()

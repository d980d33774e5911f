"""The escalation job (R15, R20–R24, R37; ladder from R4). Runs every minute.

Cost follows the number of due cases, not the number of open ones:

1. one indexed range read of `next_escalation_at <= now`, locking the rows it takes (FOR UPDATE SKIP LOCKED, so
   a second run or a second worker takes other rows or none);
2. one read of the properties and one of the role holders the ladder needs;
3. one multi-row insert of Escalation records whose names are their unique key (ticket, clock, level) — a record is
   written once, whatever happens;
4. one multi-row insert of system notifications (Notification Log); one digest email per recipient is
   enqueued for another worker once the run commits;
5. one update for all of them: each case's levels taken and its next moment.

All of it is one transaction: a run that dies half-way leaves nothing, and the next run does the whole work.
"""

import hashlib
import json
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import get_datetime, get_url_to_form, now_datetime

from property_helpdesk.procedure import clocks as K
from property_helpdesk.services.clocks import DEADLINE_FIELDS, escalated_levels, get_ladder
from property_helpdesk.services.sql import insert_rows, update_by_name

ROLE_OF_LEVEL = {
	"Maintenance Supervisor": "Property Maintenance Supervisor",
	"Office Director": "Property Office Director",
	"CS Manager": "Property CS Manager",
	"General Manager": "Property General Manager",
}
PROPERTY_FIELD_OF_LEVEL = {
	"Maintenance Supervisor": "maintenance_supervisor",
	"Office Director": "office_director",
}
BATCH = 500

# SKIP LOCKED is not in frappe.qb's dialect: this one read is parameterised SQL. It walks the
# next_escalation_at index and stops at the first row not yet due.
DUE_CASES = """
	select name, subject, property, follow_up_owner, escalated_levels, {deadline_fields}
	from `tabService Ticket`
	where next_escalation_at <= %(now)s
	order by next_escalation_at
	limit %(limit)s
	for update skip locked
""".format(deadline_fields=", ".join(DEADLINE_FIELDS.values()))


def escalation_name(ticket: str, clock: str, level: str) -> str:
	"""The unique key of one breach step: a second insert of the same step is ignored."""
	return "ESC-" + hashlib.sha1(f"{ticket}\x1f{clock}\x1f{level}".encode()).hexdigest()[:20]


def run(now=None, limit: int = BATCH) -> int:
	"""Escalate every case that is due; return how many steps were taken."""
	now = get_datetime(now) if now else now_datetime()
	cases = frappe.db.sql(DUE_CASES, {"now": now, "limit": limit}, as_dict=True)
	if not cases:
		return 0

	ladder = get_ladder()
	steps, progress = [], {}
	for case in cases:
		done = escalated_levels(case.escalated_levels)
		deadlines = {clock: case[field] for clock, field in DEADLINE_FIELDS.items() if case[field]}
		for clock, deadline in deadlines.items():
			for step in K.escalations_due(get_datetime(deadline), ladder, done.get(clock, ()), now):
				done.setdefault(clock, set()).add(step.level)
				steps.append((case, clock, step.level, deadline))
		progress[case.name] = (
			json.dumps({c: sorted(levels) for c, levels in done.items()}),
			K.next_moment(deadlines, ladder, done),
		)

	targets = Targets(cases, {level for _case, _clock, level, _d in steps})
	escalations, notifications, digests = [], [], defaultdict(list)
	for case, clock, level, deadline in steps:
		user = targets.user(level, case)
		escalations.append(
			(escalation_name(case.name, clock, level), case.name, clock, level, deadline, now, user)
		)
		if user:
			subject = _("{0} missed its {1} limit ({2}): {3}").format(
				case.name, _(clock), _(level), case.subject
			)
			notifications.append((frappe.generate_hash(length=12), subject, case.name, user, now))
			digests[user].append((case.name, subject))

	save_progress(progress)
	insert_rows(
		"Escalation",
		["name", "service_ticket", "clock", "level", "deadline", "escalated_at", "notified_user"],
		escalations,
		ignore_duplicates=True,
	)
	insert_rows(
		"Notification Log",
		["name", "subject", "document_name", "for_user", "creation", "modified"]
		+ ["document_type", "type", "from_user", "owner", "modified_by"],
		[
			(*n, n[-1], "Service Ticket", "Alert", "Administrator", "Administrator", "Administrator")
			for n in notifications
		],
	)
	if digests and (has_outgoing_email() or frappe.db.get_single_value("SMS Settings", "sms_gateway_url")):
		# Rendering mail costs far more than escalating: another worker does it once this run commits.
		frappe.enqueue(
			"property_helpdesk.services.escalation.send_digests",
			digests=dict(digests),
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
		)
	return len(escalations)


def save_progress(progress: dict[str, tuple[str, object]]) -> None:
	"""One UPDATE for every case of the run: the levels taken and the next moment."""
	update_by_name(
		"Service Ticket",
		{
			name: {"escalated_levels": taken, "next_escalation_at": moment}
			for name, (taken, moment) in progress.items()
		},
		("escalated_levels", "next_escalation_at"),
	)


def send_digests(digests: dict[str, list[tuple[str, str]]]) -> None:
	"""One email per person per run, listing every case that reached them (queued through Email Queue), and an
	SMS where an SMS gateway is configured. A site without an outgoing email account relies on the system
	notifications alone."""
	if frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
		from frappe.core.doctype.sms_settings.sms_settings import send_sms

		mobiles = dict(
			frappe.get_all(
				"User", filters={"name": ("in", list(digests))}, fields=["name", "mobile_no"], as_list=True
			)
		)
		for user, items in digests.items():
			if mobiles.get(user):
				send_sms([mobiles[user]], "\n".join(subject for _name, subject in items))
	if not has_outgoing_email():
		return
	emails = dict(
		frappe.get_all(
			"User", filters={"name": ("in", list(digests))}, fields=["name", "email"], as_list=True
		)
	)
	for user, items in digests.items():
		if not emails.get(user):
			continue
		lines = "".join(
			f"<li><a href='{get_url_to_form('Service Ticket', name)}'>{frappe.utils.escape_html(subject)}</a></li>"
			for name, subject in items
		)
		frappe.sendmail(
			recipients=[emails[user]],
			subject=_("Property Helpdesk: {0} case(s) past their time limit").format(len(items)),
			message=f"<ul>{lines}</ul>",
			delayed=True,
		)


def has_outgoing_email() -> bool:
	return bool(frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}))


class Targets:
	"""Who stands at each level of the ladder for a case (R4). Reads only what the due steps need: nothing for
	the follow-up owner, the properties for supervisor and director, role holders for the rest."""

	def __init__(self, cases, levels: set[str]):
		self.by_property, self.by_role = {}, {}
		properties = {c.property for c in cases if c.property}
		if properties and levels & set(PROPERTY_FIELD_OF_LEVEL):
			for row in frappe.get_all(
				"Property",
				filters={"name": ("in", list(properties))},
				fields=["name", "office_director", "maintenance_supervisor"],
			):
				self.by_property[row.name] = row
		roles = [ROLE_OF_LEVEL[level] for level in levels if level in ROLE_OF_LEVEL]
		if roles:
			has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
			rows = (
				frappe.qb.from_(has_role)
				.join(user)
				.on(user.name == has_role.parent)
				.select(has_role.role, user.name)
				.where(has_role.role.isin(roles) & (has_role.parenttype == "User") & (user.enabled == 1))
				.orderby(user.name)
			).run()
			for role, name in rows:
				self.by_role.setdefault(role, name)

	def user(self, level: str, case) -> str | None:
		if level == "Follow-up Owner":
			return case.follow_up_owner
		prop = self.by_property.get(case.property) or {}
		field = PROPERTY_FIELD_OF_LEVEL.get(level)
		return (field and prop.get(field)) or self.by_role.get(ROLE_OF_LEVEL.get(level))


def run_job():
	"""Scheduler entry point: one run, committed as a whole (jobs commit their own work; here one commit
	keeps the escalation records, the notifications and the cases' next moments together)."""
	run()
	frappe.db.commit()

"""The escalation job (R15, R20–R24, R37; ladder from R4). Runs every minute.

Cost follows the number of due cases, not the number of open ones:

1. one indexed range read of `next_escalation_at <= now`, locking the rows it takes (FOR UPDATE SKIP LOCKED):
   rows another run holds are skipped rather than waited for, so two runs at once take disjoint cases; under
   run_job's READ COMMITTED the read locks the rows it returns and no gaps;
2. one read of the properties and one of the role holders the ladder needs (the company-wide people from
   Settings, R4), one of the recipients (language, email, Notification Settings);
3. one locking read of which Escalation records of the due steps exist already, then one multi-row insert of
   the others (services/sql), named by their unique key (case, clock, level, and the work order for a job's
   clocks): a record is written once, and messages go only for the records this run inserted;
4. the messages through services/notify.tell: one multi-row insert of system notifications (Notification Log)
   in each recipient's language for those whose Notification Settings allow them, one realtime publish per
   recipient after the commit, one digest email per recipient queued (Email Queue) in the same transaction;
5. one update for all the cases: each case's levels taken and its next moment.

All of it is one transaction: a run that dies half-way leaves nothing, and the next run does the whole work,
messages included. SMS, where a gateway is set and Settings text staff, go after the commit, each on its own (a
failing one is logged and the others still go).

At night (the night hours of Settings) the first step of each clock of a case goes to the duty person the
property's Duty Rota has on duty at that moment (值班表, R1) rather than to the ladder's person, and the
ladder's next steps follow at their times; where the rota covers no one, the ladder applies as by day. Two more
reads when it is night and steps are due: the shifts of today and yesterday of the due cases' properties, and
which of those cases' clocks a duty person heard of already.
"""

import hashlib

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime, get_time, getdate, now_datetime

from property_helpdesk.constants import CASE, DUTY_ROTA, ESCALATION, PROPERTY, SETTINGS
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure import duty as D
from property_helpdesk.roles import (
	POST_OF_LEVEL,
	PROPERTY_POST_OF_LEVEL,
	PROPERTY_POSTS,
	area_administrators_of,
	company_posts_for,
	enabled,
	holders_for,
)
from property_helpdesk.services import notify
from property_helpdesk.services.clocks import (
	DEADLINE_FIELDS,
	end_expired_pauses,
	escalated_job,
	escalated_levels,
	get_ladder,
	progress_value,
)
from property_helpdesk.services.sql import existing_names, insert_rows, update_by_name

ROLE_OF_LEVEL = {
	"Maintenance Supervisor": "Property Maintenance Supervisor",
	"Office Director": "Property Office Director",
	"CS Manager": "Property CS Manager",
	"General Manager": "Property General Manager",
}
PROPERTY_FIELD_OF_LEVEL = PROPERTY_POST_OF_LEVEL
BATCH = 500

ESCALATION_COLUMNS = (
	"name",
	"service_ticket",
	"work_order",
	"clock",
	"level",
	"deadline",
	"notified_user",
)


def escalation_name(ticket: str, clock: str, level: str, work_order: str | None = None) -> str:
	"""The unique key of one breach step: a second insert of the same step is ignored. The clocks of a job
	name its work order, so that a new job on the same case (a re-dispatch) has breaches of its own."""
	key = f"{ticket}\x1f{clock}\x1f{level}"
	if work_order and clock in K.WORK_ORDER_CLOCKS:
		key += f"\x1f{work_order}"
	return "ESC-" + hashlib.sha1(key.encode()).hexdigest()[:20]


def due_cases(now, limit: int) -> list[dict]:
	"""The due cases, locked for this run; rows another run holds are skipped. It walks the
	next_escalation_at index and stops at the first row not yet due."""
	case = frappe.qb.DocType(CASE)
	return (
		frappe.qb.from_(case)
		.select(
			case.name,
			case.subject,
			case.property,
			case.follow_up_owner,
			case.escalated_levels,
			*(case[field] for field in DEADLINE_FIELDS.values()),
		)
		.where(case.next_escalation_at <= now)
		.orderby(case.next_escalation_at)
		.limit(limit)
		.for_update(skip_locked=True)
	).run(as_dict=True)


def digest_subject(count: int, lang: str | None) -> str:
	return _("Property Helpdesk: {0} case(s) past their time limit", lang=lang).format(count)


def run(now=None, limit: int = BATCH) -> int:
	"""Escalate every case that is due; return how many steps were taken (records written by this run)."""
	now = get_datetime(now) if now else now_datetime()
	end_expired_pauses(now)  # R37: a pause ends by itself at its limit, and the clocks run again
	cases = due_cases(now, limit)
	if not cases:
		return 0

	ladder = get_ladder()
	steps, progress = [], {}
	for case in cases:
		done = escalated_levels(case.escalated_levels)
		job = escalated_job(case.escalated_levels)
		deadlines = {clock: case[field] for clock, field in DEADLINE_FIELDS.items() if case[field]}
		for clock, deadline in deadlines.items():
			for step in K.escalations_due(get_datetime(deadline), ladder, done.get(clock, ()), now):
				done.setdefault(clock, set()).add(step.level)
				steps.append(
					(case, clock, step.level, deadline, job if clock in K.WORK_ORDER_CLOCKS else None)
				)
		progress[case.name] = (progress_value(done, job), K.next_moment(deadlines, ladder, done))

	targets = Targets(cases, steps)
	night = NightDuty(cases, steps, now)
	rows, told = [], {}
	for case, clock, level, deadline, job in steps:
		name = escalation_name(case.name, clock, level, job)
		told[name] = night.users(case, clock, level, targets.users(level, case, clock))
		# the record names the one person told; where the post names nobody and several holders are told, each
		# has the notification (Notification Log) and the record names none of them rather than one picked
		notified = told[name][0] if len(told[name]) == 1 else None
		rows.append((name, case.name, job, clock, level, deadline, notified))
	save_progress(progress)
	written = insert_new(rows, now)

	people = notify.recipients({user for row in written for user in told[row[0]]})
	messages = breach_messages(
		written, {case.name: case.subject for case in cases}, people, night.told, told=told
	)
	notify.tell(messages, digest_subject=digest_subject, people=people)
	# where an SMS gateway is set and Settings text staff, after the commit
	if frappe.db.get_single_value(SETTINGS, "staff_sms"):
		notify.sms(messages, failure_title=_("Escalation SMS to {0} failed"))
	return len(written)


def breach_messages(
	written: list[tuple],
	subjects: dict[str, str],
	people: dict,
	on_duty: set | frozenset = frozenset(),
	told: dict[str, list[str]] | None = None,
) -> list[notify.Message]:
	"""One message per record written to each enabled user told of it, in their language (each word translated
	once per run). `people`: the recipients (notify.recipients); `on_duty`: the (case, clock, level) steps that
	went to the night's duty person, who is told that they hear of it on duty; `told`: who is told of each
	record (by name), else the one person it names."""
	templates, words = {}, {}

	def word(text, lang):
		if (text, lang) not in words:
			words[text, lang] = _(text, lang=lang)
		return words[text, lang]

	messages = []
	for row in written:
		ticket, clock, level = row[1], row[3], row[4]
		for user in told[row[0]] if told is not None else [row[6]]:
			if user not in people:
				continue  # nobody, or a disabled user
			lang = people[user].language
			duty = (ticket, clock, level) in on_duty
			if (lang, duty) not in templates:
				templates[lang, duty] = (
					_("{0} missed its {1} limit (you are on duty, before the {2}): {3}", lang=lang)
					if duty
					else _("{0} missed its {1} limit ({2}): {3}", lang=lang)
				)
			subject = templates[lang, duty].format(
				ticket, word(clock, lang), word(level, lang), subjects[ticket]
			)
			messages.append(notify.Message(user=user, subject=subject, doctype=CASE, name=ticket))
	return messages


def insert_new(rows: list[tuple], now) -> list[tuple]:
	"""Write the Escalation records not yet written; return those this run wrote (a record already there is
	not news: a case whose stored progress was behind, e.g. set back by hand).

	Which of the names exist is one locking read: it sees the latest committed records whatever the
	transaction's snapshot. No other run can be writing these names meanwhile: a case's records are written only
	by the run holding its row lock (`due_cases`), which this run holds until it commits; a second run skips
	the case, and one that takes it after the commit reads its records here. The rest go in one multi-row
	insert, which would fail loudly (and roll the run back) rather than count a record twice."""
	if not rows:
		return []
	there = existing_names(ESCALATION, [row[0] for row in rows], for_update=True)
	written = [row for row in rows if row[0] not in there]
	system = notify.SYSTEM_USER
	insert_rows(
		ESCALATION,
		ESCALATION_COLUMNS,
		written,
		constants={
			"escalated_at": now,
			"creation": now,
			"modified": now,
			"owner": system,
			"modified_by": system,
		},
	)
	return written


def save_progress(progress: dict[str, tuple[str, object]]) -> None:
	"""One UPDATE for every case of the run: the levels taken and the next moment. Not `modified`: the job's
	progress is no edit of the case, and a form open meanwhile must still save (keep_escalation_progress keeps
	the job's values)."""
	update_by_name(
		CASE,
		{
			name: {"escalated_levels": taken, "next_escalation_at": moment}
			for name, (taken, moment) in progress.items()
		},
		("escalated_levels", "next_escalation_at"),
	)


class Targets:
	"""Who stands at each level of the ladder for a case (R4): the person named, else every active holder of
	the level's role who works for the case's property (User Permissions on Property), never one of them picked.
	Reads only what the due steps need: nothing for the follow-up owner; the properties for supervisor and
	director (and their area administrators when Settings give return visits to them, R38); the role holders
	and their property restrictions where a property names nobody; the CS manager and general manager Settings
	name (roles.company_posts_for, with every holder where Settings name nobody)."""

	def __init__(self, cases, steps):
		levels = {level for _case, _clock, level, _deadline, _job in steps}
		self.by_property, self.by_role, self.company, self.admins = {}, {}, {}, {}
		self.visits_by_admin = any(clock == K.RETURN_VISIT for _c, clock, *_rest in steps) and (
			frappe.db.get_single_value(SETTINGS, "return_visit_by") == "Area Administrator"
		)
		properties = {c.property for c in cases if c.property}
		property_levels = levels & set(PROPERTY_FIELD_OF_LEVEL)
		if properties and property_levels:
			rows = frappe.get_all(
				PROPERTY,
				filters={"name": ("in", list(properties))},
				fields=["name", *PROPERTY_FIELD_OF_LEVEL.values()],
			)
			active = enabled(row[field] for row in rows for field in PROPERTY_FIELD_OF_LEVEL.values())
			for row in rows:
				self.by_property[row.name] = {
					field: row[field] for field in PROPERTY_FIELD_OF_LEVEL.values() if row[field] in active
				}
		if properties and self.visits_by_admin:
			self.admins = area_administrators_of(properties)
		# a property naming nobody for its own levels: every active holder of the role for that property
		for level in property_levels:
			field = PROPERTY_FIELD_OF_LEVEL[level]
			unnamed = {p for p in properties if not self.by_property.get(p, {}).get(field)}
			if unnamed or any(not c.property for c in cases):
				self.by_role[level] = holders_for(PROPERTY_POSTS[field], unnamed | {None})
		company_levels = [level for level in levels if level in POST_OF_LEVEL]
		if company_levels:
			posts = company_posts_for([POST_OF_LEVEL[level] for level in company_levels], properties | {None})
			self.company = {
				prop: {level: people[POST_OF_LEVEL[level]] for level in company_levels}
				for prop, people in posts.items()
			}

	def users(self, level: str, case, clock: str | None = None) -> list[str]:
		if level == "Follow-up Owner":
			# R38: a missed return visit goes to whoever Settings say make it (the area administrators, or the
			# acceptor, who is the follow-up owner, R34).
			admins = self.admins.get(case.property)
			if clock == K.RETURN_VISIT and self.visits_by_admin and admins:
				return admins
			return [case.follow_up_owner] if case.follow_up_owner else []
		if level in POST_OF_LEVEL:
			return self.company.get(case.property or None, {}).get(level, [])
		field = PROPERTY_FIELD_OF_LEVEL.get(level)
		if not field:
			return []
		named = self.by_property.get(case.property, {}).get(field)
		if named:
			return [named]
		return self.by_role.get(level, {}).get(case.property or None, [])


class NightDuty:
	"""R1: who is on duty for each due case's property at a night moment, and which (case, clock) a duty
	person heard of already (an Escalation naming them); nothing is read by day or when no step is due. `told`:
	the (case, clock, level) steps this run gave the duty person."""

	def __init__(self, cases, steps, now):
		self.by_property, self.heard, self.told = {}, set(), set()
		settings = frappe.db.get_value(SETTINGS, None, ["night_starts_at", "night_ends_at"], as_dict=True)
		starts, ends = (
			get_time(settings[f]) if settings and settings[f] is not None else None
			for f in ("night_starts_at", "night_ends_at")
		)
		properties = {case.property for case in cases if case.property}
		if not steps or not properties or not D.is_night(now, starts, ends):
			return
		today = getdate(now)
		shifts = {}
		for row in frappe.get_all(
			DUTY_ROTA,
			filters={"property": ("in", list(properties)), "duty_date": ("in", [add_days(today, -1), today])},
			fields=["property", "duty_user", "duty_date", "from_time", "to_time"],
		):
			shifts.setdefault(row.property, []).append(
				D.Shift(row.duty_user, getdate(row.duty_date), get_time(row.from_time), get_time(row.to_time))
			)
		self.by_property = {p: D.on_duty(rows, now) for p, rows in shifts.items()}
		duty_users = {user for user in self.by_property.values() if user}
		if duty_users:
			esc = frappe.qb.DocType(ESCALATION)
			self.heard = {
				(ticket, clock, user)
				for ticket, clock, user in frappe.qb.from_(esc)
				.select(esc.service_ticket, esc.clock, esc.notified_user)
				.where(
					esc.service_ticket.isin([case.name for case in cases])
					& esc.notified_user.isin(list(duty_users))
				)
				.run()
			}

	def users(self, case, clock: str, level: str, ladder_users: list[str]) -> list[str]:
		"""The night's duty person for the first step of the clock, else the ladder's people."""
		duty = self.by_property.get(case.property)
		user, is_duty = D.night_target(None, duty, (case.name, clock, duty) in self.heard)
		if is_duty:
			self.heard.add((case.name, clock, duty))
			self.told.add((case.name, clock, level))
			return [user]
		return ladder_users


def run_job() -> int:
	"""Scheduler entry point. Frappe's scheduler commits after the job returns and rolls back if it raises: one
	run is one transaction, the escalation records, the notifications, the queued emails and the cases' next
	moments together, and a run that dies leaves nothing (the next run takes the same cases whole).

	The run's transaction is READ COMMITTED: its locking read of the due range then locks the rows it takes and
	no gaps, so two runs at once (two workers, or a run overlapping the next minute's) take disjoint cases
	without deadlocking on the gaps their updates of `next_escalation_at` move into. A session's isolation level
	applies from its next transaction, so what the worker began is committed first; the session gets its usual
	level back for whatever the worker runs after the scheduler's commit."""
	frappe.db.sql("set session transaction isolation level read committed")
	# ends what the worker began (the job's start log), so that the run's transaction is READ COMMITTED
	frappe.db.commit()
	try:
		return run()
	finally:
		frappe.db.sql("set session transaction isolation level repeatable read")

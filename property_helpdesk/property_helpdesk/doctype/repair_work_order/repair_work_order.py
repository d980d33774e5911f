# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""维修派工单 (R10, R15, R20–R22, R24, R30, R36): the maintenance team's job for one case.

Its life, in Frappe's order: `before_validate` derives (what the case decides, the fee schedule's prices, the
total, the status), `validate` checks (links, times, rework, confirmation, the plan of R25, billing's freeze),
`on_update` refreshes the case's clocks and assigns the technician. What the case and billing decide (the
invoice link, its status, the paid and emergency flags, the KPI due time) sits at permission level 1, which
every role reading a work order may read and none may write.

So do the times that drive the clocks and the KPIs (procedure/stamps.py): each is stamped at the server's time
by its action — dispatch, the technician's steps, `record_return` (R24), `record_explanation` (R22), the
resident's confirmation (R36) — and corrected only by a recorded amendment (api/field.py). The one past time
entered by hand is an emergency's true dispatch time, once (`record_emergency_dispatch`, R15e).
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, now_datetime, today

from property_helpdesk.constants import (
	CANCELLED,
	CASE,
	COMPLETED,
	DISPATCHED,
	ON_SITE,
	PROPERTY,
	RETURNED,
	SETTINGS,
	WARRANTY_PLAN,
	WORK_ORDER,
	WORK_ORDER_STEP,
)
from property_helpdesk.exceptions import (
	InvalidTimeError,
	ServerOwnedError,
	StepOrderError,
	StepPreconditionError,
)
from property_helpdesk.links import valid_datetime, validate_fetched_links
from property_helpdesk.procedure import stamps
from property_helpdesk.procedure.clocks import MINOR
from property_helpdesk.services import billing, clocks, notify
from property_helpdesk.services.dispatch import assign_technician

# R36: what the resident's confirmation of a job is made of
CONFIRMATION_FIELDS = ("quality_rating", "timeliness_rating", "attitude_rating", "resident_signature")


class RepairWorkOrder(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.work_order_item.work_order_item import WorkOrderItem
		from property_helpdesk.property_helpdesk.doctype.work_order_progress.work_order_progress import (
			WorkOrderProgress,
		)

		accepted_at: DF.Datetime | None
		appointment_at: DF.Datetime | None
		arrived_at: DF.Datetime | None
		attitude_rating: DF.Rating
		billing_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Credited", "Cancelled"]
		completed_at: DF.Datetime | None
		common_area: DF.Link | None
		confirmed_at: DF.Datetime | None
		contact_name: DF.Data | None
		contact_phone: DF.Data | None
		dispatch_entered_afterwards: DF.Check
		dispatched_class: DF.Literal["", "Minor or Urgent", "General", "Major"]
		dispatched_at: DF.Datetime | None
		expected_completion: DF.Date | None
		explained_at: DF.Datetime | None
		is_emergency: DF.Check
		items: DF.Table[WorkOrderItem]
		job_class: DF.Literal["Minor or Urgent", "General", "Major"]
		kpi_due_at: DF.Datetime | None
		major_reason: DF.Literal["", "Major Repair", "External Specialist", "Parts from Elsewhere"]
		naming_series: DF.Literal["WO-.YYYY.-"]
		paid_service: DF.Check
		progress: DF.Table[WorkOrderProgress]
		property: DF.Link | None
		proposed_rework_of: DF.Link | None
		quality_rating: DF.Rating
		resident_confirmed: DF.Check
		returned_at: DF.Datetime | None
		rework_of: DF.Link | None
		sales_invoice: DF.Link | None
		service_ticket: DF.Link
		started_at: DF.Datetime | None
		status: DF.Literal["Dispatched", "On Site", "Completed", "Returned", "Cancelled"]
		subject: DF.Data | None
		team_told_at: DF.Datetime | None
		technician: DF.Link | None
		timeliness_rating: DF.Rating
		total_amount: DF.Currency
		unit: DF.Link | None
		work_done: DF.SmallText | None
	# end: auto-generated types

	def onload(self):
		"""The desk shows the billing button where billing is possible (R17, R19, R39)."""
		if self.service_ticket:
			self.set_onload(
				"billable", billing.is_billable(frappe.get_cached_doc(CASE, self.service_ticket), self)
			)

	def before_validate(self):
		self.take_case_decisions()
		self.fix_class_at_dispatch()
		billing.price_lines(self, self.get_doc_before_save())
		if self.status != CANCELLED:
			self.status = (
				RETURNED
				if self.returned_at
				else COMPLETED
				if self.completed_at
				else ON_SITE
				if self.arrived_at
				else DISPATCHED
			)
		if self.resident_confirmed and not self.confirmed_at:
			self.confirmed_at = now_datetime()
		before = self.get_doc_before_save()
		if (
			self.is_emergency
			and before
			and before.dispatched_at
			and get_datetime(self.dispatched_at) != get_datetime(before.dispatched_at)
		):
			self.dispatch_entered_afterwards = 1  # R15e: marked as entered afterwards

	def validate(self):
		if not self.flags.ignore_links:  # at intake the links are the case's own, just validated
			validate_fetched_links(self)
		self.protect_recorded_times()
		self.validate_appointment()
		self.validate_times()
		self.validate_rework()
		self.validate_confirmation()
		self.validate_warranty_plan()
		billing.check_work_order(self, self.get_doc_before_save())

	def load_from_db(self):
		# a locked load (Frappe's save before it writes, REST's update, the phone's steps): the case's row first
		# (clocks.lock_case_of)
		if self.flags.for_update:
			clocks.lock_case_of(self.name)
		super().load_from_db()

	def on_update(self):
		# a work order just made is its case's current one: the refresh takes it from memory
		clocks.refresh(
			self.service_ticket,
			work_order=self if self.flags.in_insert and self.status != CANCELLED else None,
		)
		if self.has_value_changed("technician"):
			before = self.get_doc_before_save()
			assign_technician(self, before and before.technician)
		from property_helpdesk.services import resident_messages  # the resident told of each step

		resident_messages.work_order_saved(self)

	# -- derivations ---------------------------------------------------------------------------------------

	def take_case_decisions(self):
		"""Whether the job is paid comes from the case's liability judgement (R15, R19), and an emergency is the
		case's (R15e); a billed job stays what was billed (R39)."""
		self._case = (
			frappe.db.get_value(
				CASE,
				self.service_ticket,
				["call_started_at", "paid_service", "is_emergency", "job_class", "intake_job_class"],
				as_dict=True,
			)
			or frappe._dict()
		)
		before = self.get_doc_before_save()
		if not (before and billing.is_billed(before)):
			self.paid_service = self._case.paid_service or 0
		self.is_emergency = self._case.is_emergency or 0

	def fix_class_at_dispatch(self):
		"""R20–R22: the job's class is the case's when the work order is made — the class its last job had (a
		re-dispatch or rework), else the one the agent chose at intake (set once) — stamped as the class at
		dispatch, which the KPIs judge it by and nobody changes. A later change is an approved Job Class Change
		(no role writes the class: permission level 1)."""
		before = self.get_doc_before_save()
		if before is None:
			self.job_class = self._case.job_class or self._case.intake_job_class or self.job_class or MINOR
			self.dispatched_class = self.job_class
		elif before.dispatched_class:
			self.dispatched_class = before.dispatched_class

	# -- checks --------------------------------------------------------------------------------------------

	def protect_recorded_times(self):
		"""R15, R24: the dispatch time is the server's (only an emergency's true time is entered afterwards, once,
		R15e); the return to 客服中心, once recorded, is kept."""
		before = self.get_doc_before_save()
		if before is None:
			return
		if (
			before.dispatched_at
			and get_datetime(self.dispatched_at) != get_datetime(before.dispatched_at)
			and (not self.is_emergency or before.dispatch_entered_afterwards)
		):
			frappe.throw(
				_(
					"The dispatch time is recorded when the work order is made; only an emergency's is entered afterwards."
				),
				ServerOwnedError,
			)
		if before.returned_at and (
			not self.returned_at or get_datetime(self.returned_at) != get_datetime(before.returned_at)
		):
			frappe.throw(
				_("The return to the customer service centre is already recorded."), ServerOwnedError
			)

	def validate_appointment(self):
		"""R20: the appointment starts the arrival clock, so it is set or moved only while it and the arrival
		limit are still ahead — never into the past, never once its time or the limit has come or the technician
		has arrived (a resident not home then is a pause by that reason, R37)."""
		before = self.get_doc_before_save()

		def at(value):  # Frappe's get_datetime(None) is now
			return value and get_datetime(value)

		now = now_datetime()
		if not before:  # agreed at intake (the case's Appointment Agreed): never in the past
			if self.appointment_at and get_datetime(self.appointment_at) < now:
				frappe.throw(
					_("An appointment cannot be made in the past."), InvalidTimeError, title=_("Invalid Time")
				)
			return
		if at(self.appointment_at) == at(before.appointment_at):
			return
		arrival_deadline = frappe.db.get_value(CASE, self.service_ticket, "arrival_deadline")
		if (
			before.arrived_at
			or (before.appointment_at and get_datetime(before.appointment_at) <= now)
			or (
				arrival_deadline and get_datetime(arrival_deadline) <= now
			)  # a late job is not booked out of it
		):
			frappe.throw(
				_(
					"The appointment's time has come: it is no longer moved (pause the job if the resident is not home)."
				),
				InvalidTimeError,
				title=_("Invalid Time"),
			)
		if self.appointment_at and get_datetime(self.appointment_at) < now:
			frappe.throw(
				_("An appointment cannot be moved into the past."), InvalidTimeError, title=_("Invalid Time")
			)

	def validate_times(self):
		called_at = self._case.call_started_at
		if self.dispatched_at and called_at and get_datetime(self.dispatched_at) < get_datetime(called_at):
			frappe.throw(
				_("The dispatch time cannot be before the call began."),
				InvalidTimeError,
				title=_("Invalid Time"),
			)
		times = {f: self.get(f) and get_datetime(self.get(f)) for f in stamps.STAMPED[WORK_ORDER]}
		wrong = stamps.out_of_order(times)
		if wrong:
			later, earlier = wrong
			frappe.throw(
				_("{0} cannot be before {1}.").format(
					_(self.meta.get_label(later)), _(self.meta.get_label(earlier))
				),
				InvalidTimeError,
				title=_("Invalid Time"),
			)
		now = now_datetime()
		for fieldname, at in times.items():
			# judged as the time is set: one stored ahead (written in bulk) does not stop the job's other saves
			if at and at > now and self.has_value_changed(fieldname):
				frappe.throw(
					_("{0} cannot be in the future.").format(_(self.meta.get_label(fieldname))),
					InvalidTimeError,
					title=_("Invalid Time"),
				)

	def validate_rework(self):
		"""R30: a rework names the job it redoes, on the same unit."""
		if not self.rework_of:
			return
		if self.rework_of == self.name:
			frappe.throw(_("A work order cannot be the rework of itself."))
		if frappe.db.get_value(WORK_ORDER, self.rework_of, "unit") != self.unit:
			frappe.throw(_("A rework must redo a job on the same unit."))

	def validate_warranty_plan(self):
		"""R25: a job the company handles itself that takes longer than the limit needs an approved plan. Judged
		when the job's times or its reason change; a job completed before saves as it is (history imported from
		paper, or written in bulk)."""
		if self.major_reason == "External Specialist" or not (self.completed_at and self.dispatched_at):
			return
		if self.kept("completed_at", "dispatched_at", "major_reason"):
			return
		limit = frappe.db.get_single_value(SETTINGS, "warranty_plan_days")
		took = get_datetime(self.completed_at) - get_datetime(self.dispatched_at)
		if took.total_seconds() > limit * 86400 and not frappe.db.exists(
			WARRANTY_PLAN, {"work_order": self.name, "docstatus": 1}
		):
			frappe.throw(
				_("This job took more than {0} days: it needs an approved warranty repair plan.").format(
					limit
				),
				title=_("Warranty Repair Plan Needed"),
			)

	def kept(self, *fields: str) -> bool:
		"""Whether this save leaves `fields` as they were stored (False for a new job)."""
		return self.get_doc_before_save() is not None and not any(self.has_value_changed(f) for f in fields)

	def validate_confirmation(self):
		"""R36: the resident confirms with a signature and rates quality, timeliness and attitude. Checked when
		the confirmation is made or any part of it changes; a job confirmed before, its confirmation untouched,
		saves as it is (history imported from paper, or written in bulk, has no signature to give)."""
		if not self.resident_confirmed:
			return
		if self.kept("resident_confirmed", *CONFIRMATION_FIELDS, "completed_at"):
			return
		if not self.completed_at:
			frappe.throw(_("The resident can confirm only a completed job."), title=_("Not Completed"))
		missing = [_(self.meta.get_label(f)) for f in CONFIRMATION_FIELDS if not self.get(f)]
		if missing:
			frappe.throw(
				_("The resident's confirmation needs: {0}").format(", ".join(missing)), title=_("Incomplete")
			)

	# -- actions: each stamps its time at the server's clock ---------------------------------------------------
	# Each works on the stored work order (`reload`): a caller of run_doc_method sends a whole document, whose
	# typed values must not ride along on the action's save.

	@frappe.whitelist(methods=["POST"])
	def record_return(self):
		"""R24: 客服中心 records the work order's return, at the server's time."""
		self.reload()
		self.check_permission("write")
		if not stamps.may_record_return(frappe.get_roles()):
			frappe.throw(
				_("The return of the work order is recorded by the customer service centre."),
				ServerOwnedError,
			)
		if self.returned_at:
			frappe.throw(
				_("The return to the customer service centre is already recorded."), ServerOwnedError
			)
		if not self.completed_at:
			frappe.throw(
				_("Only a completed work order is returned to the customer service centre."),
				StepPreconditionError,
				title=_("Not Completed"),
			)
		self.returned_at = now_datetime()
		self.save(ignore_permissions=True)
		return {"returned_at": self.returned_at}

	@frappe.whitelist(methods=["POST"])
	def record_explanation(self, explanation: str, expected_date: str):
		"""R22: a major job is explained to the resident, with its reason and expected completion date; the first
		explanation stamps the time the explanation clock stops."""
		self.reload()
		self.check_permission("write")
		if self.job_class != "Major":
			frappe.throw(
				_("Only a major job is explained with an expected completion date."),
				StepPreconditionError,
				title=_("Not a Major Job"),
			)
		explanation = (explanation or "").strip()
		if not explanation or not expected_date:
			frappe.throw(
				_("Give the explanation and the expected completion date."),
				StepPreconditionError,
				title=_("Incomplete"),
			)
		if getdate(expected_date) < getdate(today()):
			frappe.throw(
				_("The expected completion date cannot be in the past."),
				InvalidTimeError,
				title=_("Invalid Time"),
			)
		now = now_datetime()
		self.append(
			"progress",
			{
				"reported_at": now,
				"note": explanation,
				"expected_completion": expected_date,
				"told_resident": 1,
			},
		)
		self.expected_completion = expected_date
		if not self.explained_at:
			self.explained_at = now
		self.save(ignore_permissions=True)
		return {"explained_at": self.explained_at}

	@frappe.whitelist(methods=["POST"])
	def record_emergency_dispatch(self, dispatched_at: str):
		"""R15e: an emergency is dispatched by phone first; its true dispatch time is entered afterwards, once,
		never in the future and never before the call, and is marked as entered afterwards."""
		self.reload()
		self.check_permission("write")
		if not stamps.may_enter_emergency_dispatch(frappe.get_roles()):
			frappe.throw(_("You may not enter an emergency's dispatch time."), frappe.PermissionError)
		called_at = frappe.db.get_value(CASE, self.service_ticket, "call_started_at")
		at = valid_datetime(dispatched_at, _("Dispatched At"))
		problem = stamps.emergency_entry_error(
			bool(self.is_emergency),
			bool(self.dispatch_entered_afterwards),
			at,
			called_at and get_datetime(called_at),
			now_datetime(),
		)
		if problem:
			frappe.throw(
				{
					"not_emergency": _(
						"The dispatch time is recorded when the work order is made; only an emergency's is entered afterwards."
					),
					"already_entered": _("This emergency's dispatch time was already entered afterwards."),
					stamps.FUTURE: _("The dispatch time cannot be in the future."),
					stamps.BEFORE_CALL: _("The dispatch time cannot be before the call began."),
				}[problem],
				ServerOwnedError if problem in ("not_emergency", "already_entered") else InvalidTimeError,
				title=_("Invalid Time"),
			)
		self.dispatched_at = at
		self.save(ignore_permissions=True)
		return {"dispatched_at": self.dispatched_at, "dispatch_entered_afterwards": 1}

	# -- the technician's phone: one tap per step, stamped by the server (R20–R22, R35) ---------------------

	# step → the time it stamps, in the order the steps are taken (the phone sends no time)
	STEPS = {
		"accept": "accepted_at",
		"arrive": "arrived_at",
		"start": "started_at",
		"complete": "completed_at",
	}

	def may_take_steps(self, user: str | None = None) -> bool:
		"""The technician named on the job, or the maintenance supervisor of its property."""
		user = user or frappe.session.user
		return (
			bool(user)
			and user != "Guest"
			and user
			in (
				self.technician,
				self.property and frappe.db.get_value(PROPERTY, self.property, "maintenance_supervisor"),
			)
		)

	def take_step(self, step: str, request_id: str | None = None) -> dict:
		"""接单, 到场, 开始, 完工: the step's time is the server's now; steps come in order and each once. The tap is
		recorded as a Work Order Step (its request id unique in the database); the case's acceptor is told when
		the job is done (R35). Called on a row the caller locked (api/field.take_step)."""
		if not self.may_take_steps():
			frappe.throw(_("You can act only on your own jobs."), frappe.PermissionError)
		if step not in self.STEPS:
			frappe.throw(_("Unknown step: {0}").format(step), StepOrderError, title=_("Invalid Step"))
		label = _(self.meta.get_label(self.STEPS[step]))
		if self.status in (CANCELLED, RETURNED):
			frappe.throw(_("This job is closed: no more steps."), StepOrderError, title=_("Job Closed"))
		if self.get(self.STEPS[step]):
			frappe.throw(
				_("{0} is already recorded: {1}.").format(
					label, frappe.utils.format_datetime(self.get(self.STEPS[step]), "yyyy-MM-dd HH:mm")
				),
				StepOrderError,
				title=_("Already Recorded"),
			)
		fields = list(self.STEPS.values())
		position = fields.index(self.STEPS[step])
		later = [f for f in fields[position + 1 :] if self.get(f)]
		missing = [f for f in fields[:position] if not self.get(f)]
		if later or missing:
			frappe.throw(
				_("{0} comes after {1}.").format(label, _(self.meta.get_label(missing[0])))
				if missing
				else _("{0} is already past: {1} is recorded.").format(
					label, _(self.meta.get_label(later[0]))
				),
				StepOrderError,
				title=_("Out of Order"),
			)
		now = now_datetime()
		self.set(self.STEPS[step], now)
		# the times sit at permission level 1, which no role writes: the permission was checked above
		self.save(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": WORK_ORDER_STEP,
				"work_order": self.name,
				"step": step,
				"request_id": request_id or frappe.generate_hash(length=20),
				"stamped_at": now,
				"taken_by": frappe.session.user,
			}
		).insert(ignore_permissions=True)
		if step == "complete":
			self.tell_acceptor_done()
		return self.step_answer(step, now)

	def step_answer(self, step: str, stamped_at) -> dict:
		"""What the phone is told about a step: the same for the tap and for every retry of it."""
		return {
			"work_order": self.name,
			"step": step,
			"stamped_at": str(stamped_at),
			"status": COMPLETED
			if step == "complete"
			else ON_SITE
			if step in ("arrive", "start")
			else DISPATCHED,
		}

	def tell_acceptor_done(self):
		"""R35: the acceptor of the case is told that the job is done (and so is the follow-up owner), and the
		follow-up owner (the acceptor unless the case was handed over, R34) is asked to record the result and
		answer the resident: an assignment on the case, closed when both are recorded (services/routing)."""
		from property_helpdesk.services.routing import ask_for_result

		ticket = frappe.db.get_value(CASE, self.service_ticket, ["acceptor", "follow_up_owner"], as_dict=True)
		if not ticket:
			return
		ask_for_result(self.service_ticket, ticket.follow_up_owner or ticket.acceptor, self)
		subject = _("Work order {0} for {1} is done: {2}").format(self.name, self.unit, self.subject)
		notify.tell(
			[
				notify.Message(user=user, subject=subject, doctype=WORK_ORDER, name=self.name)
				for user in dict.fromkeys((ticket.acceptor, ticket.follow_up_owner))
				if user and user != frappe.session.user
			],
			from_user=frappe.session.user,
		)


def on_doctype_update():
	# issue 15: the recovery job's query (dispatch.tell_untold_teams), the work orders whose team is not yet told
	frappe.db.add_index(WORK_ORDER, ["team_told_at", "dispatched_at"])

	# The technician's phone page (api/technician.my_jobs): one technician's open jobs, whatever the site holds
	# (benchmarks/load: without it every list_jobs read all the work orders, ~1 s over 600,000).
	frappe.db.add_index(WORK_ORDER, ["technician", "status"])

	# R30's proposed rework (dispatch.proposed_rework), looked up at every new repair case: one unit's jobs
	# completed in the window (benchmarks/load: through the completed_at index alone, 214 ms over 600,000
	# work orders, most of the create's time).
	frappe.db.add_index(WORK_ORDER, ["unit", "completed_at"])

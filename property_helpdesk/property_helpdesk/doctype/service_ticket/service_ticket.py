# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt
"""Service Ticket: one case (报修/投诉/服务需求/有偿服务/咨询) from the first call to the answer (R1–R19, R33, R34).

Its life, in Frappe's order: `before_validate` derives (the acceptor and follow-up owner, the liability proposal,
complaint routing, the times), `validate` checks, `after_insert` makes the work order of a repair (R15) and tells
the acceptor of a portal case, `on_update` refreshes the clocks and looks for recurring complaints (R32).
What the server derives sits at permission level 1, which every role reading a case may read and none may write:
Frappe keeps a typed value out before `before_validate` runs. The case's actions (hand-over, reminder, clock
pause) store their record first and then save the case, so the save finds the record in the stored document
and checks one invariant: records are never typed, changed or removed, and the follow-up owner is the last
hand-over's recipient, else the acceptor.
"""

import frappe
from frappe import _
from frappe.model import no_value_fields
from frappe.model.document import Document
from frappe.utils import add_to_date, flt, get_datetime, getdate, now_datetime

from property_helpdesk.constants import (
	CASE,
	CLOSED,
	CLOSED_STATES,
	COMMON_AREA,
	COMPLAINT,
	COMPLAINT_GROUND,
	DUTY_STAFF,
	PROPERTY,
	RESIDENT_ROLE,
	SERVICE_TYPED_CASES,
	UNIT,
	WORK_ORDER_TYPES,
)
from property_helpdesk.exceptions import (
	AcceptorError,
	ActingForOwnerError,
	CaseFinishedError,
	ClockPauseError,
	DecisionError,
	PauseRefusedError,
	InvalidHandoverError,
	InvalidTimeError,
	MissingJudgementError,
	NobodyToTellError,
	PlaceError,
	ResultMissingError,
	ServerOwnedError,
)
from property_helpdesk.links import validate_fetched_links, validate_phone_fields
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure.complaints import (
	REMINDER_GROUND,
	ROUTE_LEADERSHIP,
	ROUTE_OFFICE_HEAD,
	becomes_valid_by_reminders,
	recognise_dispute,
	route_complaint,
)
from property_helpdesk.procedure.liability import COMMON as COMMON_FACILITY
from property_helpdesk.procedure.liability import REASONS, LiabilityInput, propose_liability
from property_helpdesk.procedure.validation import has_markup
from property_helpdesk.procedure.warranty import Period
from property_helpdesk.roles import STAFF_ROLES, area_administrators, holders, property_post, the_one
from property_helpdesk.services import clocks, notify, routing
from property_helpdesk.services.corrective import check_recurrence, count_reopen
from property_helpdesk.services.dispatch import (
	check_service_type_change,
	dispatch,
	reroute_service,
	route_service,
)

LIABILITY_FIELDS = (
	"liability_branch",
	"liable_party",
	"paid_service",
	"repairs_on_behalf",
	"needs_liaison_sheet",
	"builder_warranty_end",
	"owner_warranty_end",
	"liability_reason",
)
PLAIN_TEXT_FIELDS = ("contact_name", "contact_phone", "subject")
LONG_TEXT_FIELDS = ("description", "result", "answer_to_resident", "hazard_description")
MAX_TEXT_LENGTH = 2000
# R12, R34, R37: what the case's own actions record
RECORD_TABLES = {
	"handovers": ("handed_at", "from_user", "to_user", "to_department", "reason"),
	"reminders": ("reminded_at", "channel", "recorded_by", "note"),
	"pauses": ("reason", "paused_at", "ends_at", "resumed_at", "recorded_by"),
}
# R37: the deadlines of the clocks a pause holds, as the case stores them
PAUSABLE_DEADLINES = {clock: clocks.DEADLINE_FIELDS[clock] for clock in K.CLOCKS if clock in K.PAUSABLE}
CLOCK_SKEW_MINUTES = 5  # a desk clock a little ahead of the server's is not a call from the future


class ServiceTicket(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.clock_pause.clock_pause import ClockPause
		from property_helpdesk.property_helpdesk.doctype.ticket_handover.ticket_handover import TicketHandover
		from property_helpdesk.property_helpdesk.doctype.ticket_reminder.ticket_reminder import TicketReminder

		acceptor: DF.Link | None
		acting_for_owner: DF.Check
		answer_deadline: DF.Datetime | None
		answer_to_resident: DF.SmallText | None
		answered_at: DF.Datetime | None
		appointment_at: DF.Datetime | None
		arrival_deadline: DF.Datetime | None
		beyond_authority: DF.Check
		billing_status: DF.Literal["", "Draft Invoice", "Invoiced", "Paid", "Credited", "Cancelled"]
		builder_warranty_end: DF.Date | None
		call_started_at: DF.Datetime
		channel: DF.Literal["Phone", "Visit", "Portal", "Other", "Patrol"]
		closed_at: DF.Datetime | None
		common_area: DF.Link | None
		complaint_ground: DF.Link | None
		completion_deadline: DF.Datetime | None
		contact_name: DF.Data
		contact_phone: DF.Data
		decided_at: DF.Datetime | None
		decided_by: DF.Link | None
		decision: DF.SmallText | None
		description: DF.SmallText
		dispatch_deadline: DF.Datetime | None
		dispute_director: DF.Link | None
		dispute_type: DF.Literal["", "Warranty Dispute", "Compensation Claim", "Quality Dissatisfaction"]
		escalated_levels: DF.Code | None
		explanation_deadline: DF.Datetime | None
		follow_up_owner: DF.Link | None
		follow_up_owner_name: DF.Data | None
		follow_up_owner_phone: DF.Data | None
		handled_at: DF.Datetime | None
		handovers: DF.Table[TicketHandover]
		hazard_description: DF.SmallText | None
		intake_job_class: DF.Literal["", "Minor or Urgent", "General"]
		is_emergency: DF.Check
		is_major: DF.Check
		is_quality_defect: DF.Check
		is_service_quality: DF.Check
		job_class: DF.Literal["", "Minor or Urgent", "General", "Major"]
		kpi_due_at: DF.Datetime | None
		liability_branch: DF.Literal[
			"",
			"Private Part - Paid Service",
			"Common Facility",
			"Owner Liable",
			"Joint Site Survey",
			"Developer Defect",
		]
		liability_reason: DF.SmallText | None
		liability_unclear: DF.Check
		liable_party: DF.Literal[
			"", "Developer", "Maintenance Fund", "Owner", "Property Company", "To Be Determined"
		]
		liable_resident: DF.Link | None
		location: DF.Literal["", "Private Part", "Common Facility"]
		meeting_notes: DF.SmallText | None
		met_owner_at: DF.Datetime | None
		naming_series: DF.Literal["PH-.YYYY.-"]
		needs_liaison_sheet: DF.Check
		next_escalation_at: DF.Datetime | None
		owner_caused: DF.Check
		owner_warranty_end: DF.Date | None
		paid_service: DF.Check
		paused_minutes: DF.Float
		paused_since: DF.Datetime | None
		paused_until: DF.Datetime | None
		pauses: DF.Table[ClockPause]
		photo: DF.AttachImage | None
		portal_request_key: DF.Data | None
		property: DF.Link | None
		reminder_count: DF.Int
		reminders: DF.Table[TicketReminder]
		reopen_count: DF.Int
		service_type: DF.Link | None
		repairs_on_behalf: DF.Check
		resident: DF.Link | None
		result: DF.SmallText | None
		return_visit_deadline: DF.Datetime | None
		routed_to: DF.Link | None
		routed_to_level: DF.Literal["", "Office Head", "Company Leadership"]
		status: DF.Literal["Open", "In Progress", "Resolved", "Closed"]
		subject: DF.Data
		ticket_type: DF.Literal["Repair", "Complaint", "Service Request", "Paid Service", "Enquiry"]
		unit: DF.Link | None
		validity_class: DF.Data | None
		warranty_rule: DF.Link | None
		work_order_return_deadline: DF.Datetime | None
	# end: auto-generated types

	def before_validate(self):
		self.set_place()
		if self.is_new():
			# R34: whoever takes the call is its acceptor and follow-up owner; nobody enters one for another.
			# A case a resident reports on the portal is accepted by the property's area administrator.
			if reported_by_resident():
				self.flags.portal_acceptors = portal_acceptors(
					self.property or frappe.db.get_value(UNIT, self.unit, "property")
				)
				self.acceptor = self.flags.portal_acceptors[0]
			else:
				self.acceptor = frappe.session.user
			self.follow_up_owner = self.acceptor
		else:
			# the ladder steps taken belong to the escalation job: the latest, read under lock (R15, R20–R24)
			clocks.keep_escalation_progress(self)
			count_reopen(self)  # R29: a case taken back from Resolved or Closed is counted
		self.follow_up_owner_name, self.follow_up_owner_phone = get_name_and_phone(self.follow_up_owner)
		self.reminder_count = len(self.reminders)
		self.set_liability()
		self.set_complaint_routing()
		self.set_dispute_routing()
		self.set_times()

	def validate(self):
		validate_fetched_links(self)
		self.validate_place()
		self.validate_text()
		validate_phone_fields(self, "contact_phone")  # R7: a contact the office can call back
		self.validate_records()
		self.validate_follow_up_owner()
		self.validate_judgement()
		self.validate_result()
		self.validate_acting_for_owner()
		check_service_type_change(self)  # R11: a begun job keeps its team

	def after_insert(self):
		"""Nobody waits on a portal case unseen: it is on the acceptor's list (every holder's, R4, where the
		property names nobody) and in their notifications (as the case commits). R10, R15: a repair case gets
		its work order at acceptance, the maintenance team at once (the work order's own save refreshes the
		case's clocks); any other case refreshes its clocks from memory."""
		if reported_by_resident():
			for user in self.flags.portal_acceptors or [self.acceptor]:
				notify.assign(CASE, self.name, user, _("Reported on the portal: {0}").format(self.subject))
		if self.ticket_type in WORK_ORDER_TYPES:
			dispatch(self.name, new_case=self)
		else:
			clocks.refresh(self.name, new_case=self)
		route_service(self)  # R11: a paid service's team and its administrators

	def on_update(self):
		if not self.flags.in_insert:  # a new case refreshed its clocks in after_insert
			clocks.refresh(self.name)
			reroute_service(self)  # R11: a service type judged after the case was taken
		check_recurrence(self)  # R32: a recurring complaint raises a corrective action
		routing.on_case_update(self)  # R2, R35, R41: whoever a route names is assigned; done, released
		from property_helpdesk.services import resident_messages  # the resident told: accepted, answered

		resident_messages.case_saved(self)

	# -- derivations ---------------------------------------------------------------------------------------

	def set_place(self):
		"""Issue 14: a case at a common area (a lift, a pump room …) is in that area's property and at a common
		facility (R10, R15b); its unit, the caller's, may stay empty (validate_place)."""
		if not self.common_area:
			return
		area_property = frappe.get_cached_value(COMMON_AREA, self.common_area, "property")
		if area_property:  # an unknown area: Frappe's own link error in validate
			self.property = area_property
			self.location = COMMON_FACILITY

	def set_liability(self):
		"""R7, R15–R19: propose the liable party from the unit, the property and the component."""
		if (
			self.ticket_type not in WORK_ORDER_TYPES
			or not self.location
			or not (self.unit or self.common_area)
		):
			for field in LIABILITY_FIELDS:
				self.set(field, None)
			return
		if self.common_area:
			# a common area's warranty is not the caller's flat's: no handover date of a unit applies to it
			unit = frappe._dict(property=self.property, handover_date=None)
		else:
			unit = frappe.get_cached_value(UNIT, self.unit, ["property", "handover_date"], as_dict=True)
		if not unit or not unit.property:
			# an unknown unit or common area: Frappe's own link error, before anything is derived from it
			validate_fetched_links(self)
			self.validate_place()
		prop = frappe.get_cached_doc(PROPERTY, unit.property)
		rule = get_warranty_rule(self.warranty_rule, unit.property) if self.warranty_rule else None
		proposal = propose_liability(
			LiabilityInput(
				location=self.location,
				is_quality_defect=bool(self.is_quality_defect),
				owner_caused=bool(self.owner_caused),
				liability_unclear=bool(self.liability_unclear),
				is_emergency=bool(self.is_emergency),
				developer_type=prop.developer_type,
				completion_date=getdate(prop.completion_acceptance_date)
				if prop.completion_acceptance_date
				else None,
				handover_date=getdate(unit.handover_date) if unit.handover_date else None,
				builder_period=Period(rule.builder_period, rule.builder_unit) if rule else None,
				owner_minimum=Period(rule.owner_period, rule.owner_unit) if rule else None,
				seasons=prop.seasons(),
				reported_on=getdate(self.call_started_at),
			)
		)
		self.liability_branch = proposal.branch
		self.liable_party = proposal.party
		self.paid_service = int(proposal.paid_service)
		self.repairs_on_behalf = int(proposal.repairs_on_behalf)
		self.needs_liaison_sheet = int(proposal.needs_liaison_sheet)
		self.builder_warranty_end = proposal.builder_warranty_end
		self.owner_warranty_end = proposal.owner_warranty_end
		# kept in the site's language, so the record reads the same whoever took the call and whoever prints it
		self.liability_reason = liability_reason_text(proposal.reason)

	def set_complaint_routing(self):
		"""R2: route complaints; R12 ground 5: two unanswered reminders make a valid complaint."""
		if self.status not in CLOSED_STATES and becomes_valid_by_reminders(self.unanswered_reminders()):
			self.complaint_ground = REMINDER_GROUND
		self.validity_class = (
			frappe.get_cached_value(COMPLAINT_GROUND, self.complaint_ground, "validity_class")
			if self.complaint_ground
			else None
		)

		level = None
		if self.ticket_type == COMPLAINT:
			level = route_complaint(
				bool(self.is_service_quality), bool(self.is_major), bool(self.beyond_authority)
			)
		if level != self.routed_to_level or (level and not self.routed_to):
			self.routed_to_level = level
			self.routed_to = get_decision_maker(level, self.property)

	def set_dispute_routing(self):
		"""R41–R42: a warranty dispute, compensation claim or quality dissatisfaction, chosen by the agent or
		recognised from the complaint ground, goes to the office director of the case's own property."""
		before = self.get_doc_before_save()
		ground_changed = (before.complaint_ground if before else None) != self.complaint_ground
		self.dispute_type = recognise_dispute(self.dispute_type, self.complaint_ground, ground_changed)
		if self.met_owner_at:
			return  # the director met the owner: the record stands
		self.dispute_director = (
			frappe.get_cached_value(PROPERTY, self.property, "office_director")
			if self.dispute_type and self.property
			else None
		)

	def unanswered_reminders(self) -> int:
		if not self.answered_at:
			return len(self.reminders)
		answered = get_datetime(self.answered_at)
		return sum(1 for r in self.reminders if get_datetime(r.reminded_at) > answered)

	def set_times(self):
		if self.answer_to_resident and not self.answered_at:
			self.answered_at = now_datetime()
		if self.status == CLOSED and not self.closed_at:
			self.closed_at = now_datetime()
		elif self.status != CLOSED:
			self.closed_at = None

	# -- checks --------------------------------------------------------------------------------------------

	def validate_place(self):
		"""R7, issue 14: a case is at a unit or at a common area of the case's property (an enabled one, when it
		is chosen); a unit given with a common area is the caller's, of the same property."""
		if not self.unit and not self.common_area:
			frappe.throw(
				_("Choose the unit or the common area where the problem is."),
				frappe.MandatoryError,  # Frappe's own error for a required value, as for the unit before
				title=_("Missing Information"),
			)
		if not self.common_area:
			return
		area = frappe.db.get_value(COMMON_AREA, self.common_area, ["property", "enabled"], as_dict=True)
		if not area:
			frappe.throw(
				_("Could not find {0}").format(f"{_('Common Area')}: {self.common_area}"),
				frappe.LinkValidationError,
			)
		before = self.get_doc_before_save()
		if not area.enabled and (not before or before.common_area != self.common_area):
			frappe.throw(
				_("Common area {0} is disabled: cases can no longer be reported there.").format(
					self.common_area
				),
				PlaceError,
				title=_("Invalid Input"),
			)
		unit_property = self.unit and frappe.db.get_value(UNIT, self.unit, "property")
		if unit_property and unit_property != area.property:
			frappe.throw(
				_("Unit {0} and common area {1} are in different properties.").format(
					self.unit, self.common_area
				),
				PlaceError,
				title=_("Invalid Input"),
			)

	def validate_text(self):
		for fieldname in PLAIN_TEXT_FIELDS:
			if has_markup(self.get(fieldname)):
				frappe.throw(
					_("{0} must be plain text: angle brackets are not allowed.").format(
						_(self.meta.get_label(fieldname))
					),
					title=_("Invalid Input"),
				)
		for fieldname in LONG_TEXT_FIELDS:
			if len(self.get(fieldname) or "") > MAX_TEXT_LENGTH:
				frappe.throw(
					_("{0} is too long: at most {1} characters.").format(
						_(self.meta.get_label(fieldname)), MAX_TEXT_LENGTH
					),
					title=_("Invalid Input"),
				)

	def validate_records(self):
		"""R12, R34, R37: hand-overs, reminders and clock pauses are written by the case's own actions, which
		store them before they save the case; none is typed, changed or removed through a form or the REST API.
		The moment the call began, where the clocks start, is fixed at intake and cannot lie in the future."""
		before = self.get_doc_before_save()
		if not before:
			if get_datetime(self.call_started_at) > add_to_date(now_datetime(), minutes=CLOCK_SKEW_MINUTES):
				frappe.throw(
					_("The call cannot have begun in the future."), InvalidTimeError, title=_("Invalid Time")
				)
			# a desk clock a little ahead is the server's now: no call starts the R15 clock after it is saved
			self.call_started_at = min(get_datetime(self.call_started_at), now_datetime())
			if (
				any(self.get(table) for table in RECORD_TABLES)
				or self.paused_since
				or self.paused_until
				or self.paused_minutes
			):
				frappe.throw(
					_("Hand-overs, reminders and pauses are recorded by the case's actions, not entered."),
					ServerOwnedError,
				)
			return
		if get_datetime(self.call_started_at) != get_datetime(before.call_started_at):
			frappe.throw(
				_("The moment the call began is fixed at intake: the clocks start there."), ServerOwnedError
			)
		changed = [
			table
			for table, fields in RECORD_TABLES.items()
			if record_rows(self.get(table), fields) != record_rows(before.get(table), fields)
		]
		# (minutes as the database keeps them: nine decimals)
		if abs(flt(self.paused_minutes) - flt(before.paused_minutes)) > 1e-6 or (
			get_datetime(self.paused_since) if self.paused_since else None
		) != (get_datetime(before.paused_since) if before.paused_since else None):
			changed.append("pauses")
		if (get_datetime(self.paused_until) if self.paused_until else None) != (
			get_datetime(before.paused_until) if before.paused_until else None
		):
			changed.append("pauses")
		if changed:
			frappe.throw(
				_("Hand-overs, reminders and pauses are recorded by the case's actions, not entered."),
				ServerOwnedError,
			)

	def validate_follow_up_owner(self):
		"""R34: whoever accepts owns the case until a recorded hand-over to a named person: the follow-up owner
		is the last hand-over's recipient, else the acceptor."""
		before = self.get_doc_before_save()
		if before and self.acceptor != before.acceptor:
			frappe.throw(_("The acceptor of a case cannot be changed."), AcceptorError)
		owner = self.handovers[-1].to_user if self.handovers else self.acceptor
		if self.follow_up_owner != owner:
			frappe.throw(
				_("The follow-up owner changes only by a recorded hand-over to a named person."),
				AcceptorError,
			)

	def validate_judgement(self):
		"""R15: a repair taken in the desk carries its location type, from which the liable party is judged;
		R12–R14: a complaint carries its ground. A resident's portal report leaves both to the acceptor, who
		completes them on the first save of the form; the case's actions (a reminder, a hand-over), which change
		nothing typed on the case, do not ask for them."""
		if self.is_new():
			if reported_by_resident():
				return
		elif not self.changes_typed_values():
			return
		if self.ticket_type in WORK_ORDER_TYPES and not self.location:
			frappe.throw(
				_(
					"Choose the location type (owner's private part or common facility): liability is judged from it."
				),
				MissingJudgementError,
				title=_("Missing Information"),
			)
		if self.ticket_type in SERVICE_TYPED_CASES and not self.service_type:
			frappe.throw(
				_(
					"Choose the service type (cleaning, greening, notice board, repair …): it decides which team gets the job."
				),
				MissingJudgementError,
				title=_("Missing Information"),
			)
		if self.ticket_type == COMPLAINT and not self.complaint_ground:
			frappe.throw(
				_("Choose the ground of the complaint: it decides whether the complaint is valid."),
				MissingJudgementError,
				title=_("Missing Information"),
			)

	def changes_typed_values(self) -> bool:
		"""Whether this save changes a value people type (a new case does): not so for the case's actions,
		whose record and owner are stored before they save."""
		before = self.get_doc_before_save()
		if not before:
			return True
		return any(
			str(self.get(df.fieldname) or "") != str(before.get(df.fieldname) or "")
			for df in self.meta.fields
			if not df.permlevel
			and not df.read_only
			and df.fieldtype not in no_value_fields
			# R12 ground 5 is the server's when reminders make the complaint valid
			and not (df.fieldname == "complaint_ground" and self.complaint_ground == REMINDER_GROUND)
		)

	def validate_acting_for_owner(self):
		"""R19: the company acts on the owner's behalf (《物业管理条例》第五十六条) only where the owner is liable,
		the hazard and the refusal are recorded, and the liable owner, who is billed, is named."""
		if not self.acting_for_owner:
			self.liable_resident = None
			return
		if self.liable_party != "Owner":
			frappe.throw(
				_("The company acts on the owner's behalf only where the owner is liable."),
				ActingForOwnerError,
				title=_("Not the Owner's Liability"),
			)
		if not self.liable_resident or not (self.hazard_description or "").strip():
			frappe.throw(
				_(
					"Name the liable owner and record the hazard and the owner's refusal before acting on the owner's behalf."
				),
				ActingForOwnerError,
				title=_("Missing Information"),
			)
		units = frappe.get_all(
			"Resident Unit", filters={"parent": self.liable_resident, "parenttype": "Resident"}, pluck="unit"
		)
		if not units or not frappe.db.exists(UNIT, {"name": ("in", units), "property": self.property}):
			frappe.throw(
				_("{0} holds no unit in {1}: the liable owner is an owner of this property.").format(
					self.liable_resident, self.property
				),
				ActingForOwnerError,
				title=_("Not an Owner Here"),
			)

	def validate_result(self):
		"""R33: 事事有着落，件件有回音 — no case ends without a recorded result and an answer."""
		if self.status in CLOSED_STATES and not (self.result and self.answer_to_resident):
			frappe.throw(
				_("A case cannot be {0} without a recorded result and an answer to the resident.").format(
					_(self.status)
				),
				ResultMissingError,
				title=_("Result Missing"),
			)

	# -- actions: each stores its record, then saves the case ------------------------------------------------

	def hand_over(self, to_user: str, reason: str, to_department: str | None = None):
		"""R34: hand the case to a named person, recorded."""
		if not to_user or not frappe.db.get_value(
			"User", {"name": to_user, "enabled": 1, "user_type": "System User"}
		):
			frappe.throw(
				_("Hand over to an active user."), InvalidHandoverError, title=_("Invalid Hand-over")
			)
		if not set(STAFF_ROLES).intersection(frappe.get_roles(to_user)):
			frappe.throw(
				_("Hand over to a member of the property staff: {0} holds no staff role.").format(to_user),
				InvalidHandoverError,
				title=_("Invalid Hand-over"),
			)
		if to_user == self.follow_up_owner:
			frappe.throw(
				_("{0} already owns this case.").format(to_user),
				InvalidHandoverError,
				title=_("Invalid Hand-over"),
			)
		if not (reason or "").strip():
			frappe.throw(
				_("Give the reason for the hand-over."), InvalidHandoverError, title=_("Invalid Hand-over")
			)
		self.store_record(
			"handovers",
			{
				"handed_at": now_datetime(),
				"from_user": self.follow_up_owner,
				"to_user": to_user,
				"to_department": to_department,
				"reason": reason,
			},
			follow_up_owner=to_user,
		)
		self.save()

	def pause_clocks(self, reason: str):
		"""R37: hold the pausable clocks for a reason of the list, at most its limit in Settings (the pause ends by
		itself then), recorded. A case already past a pausable deadline cannot pause: that would stop the
		deadline's escalation."""
		if self.paused_since:
			frappe.throw(
				_("The clocks of this case are already paused."), ClockPauseError, title=_("Already Paused")
			)
		limit = K.pause_limit(reason, clocks.get_pause_limits())
		if limit is None:
			frappe.throw(
				_(
					"The clocks cannot pause for {0}: choose a reason with a longest pause in Settings."
				).format(_(reason) if reason else ""),
				PauseRefusedError,
				title=_("Pause Refused"),
			)
		now = now_datetime()
		stored = frappe.db.get_value(CASE, self.name, list(PAUSABLE_DEADLINES.values()), as_dict=True) or {}
		late = K.past_pausable_deadlines(
			{
				clock: stored.get(field) and get_datetime(stored.get(field))
				for clock, field in PAUSABLE_DEADLINES.items()
			},
			now,
		)
		if late:
			frappe.throw(
				_("This case is already past its {0} deadline: its clocks cannot pause now.").format(
					", ".join(_(clock) for clock in late)
				),
				PauseRefusedError,
				title=_("Pause Refused"),
			)
		ends_at = K.pause_ends_at(now, limit)
		self.store_record(
			"pauses",
			{"reason": reason, "paused_at": now, "ends_at": ends_at, "recorded_by": frappe.session.user},
			paused_since=now,
			paused_until=ends_at,
		)
		self.save()

	def resume_clocks(self):
		"""R37: the clocks run again; a pause counts at most until its planned end."""
		if not self.paused_since:
			frappe.throw(_("The clocks of this case are not paused."), ClockPauseError, title=_("Not Paused"))
		clocks.end_pause(self.name, now_datetime())
		self.reload()

	def record_reminder(self, channel: str = "Phone", note: str | None = None):
		"""A resident's 催办, recorded; counts toward R12 ground 5."""
		if self.status in CLOSED_STATES:
			frappe.throw(
				_("This case is already {0}.").format(_(self.status)),
				CaseFinishedError,
				title=_("Case Finished"),
			)
		self.store_record(
			"reminders",
			{
				"reminded_at": now_datetime(),
				"channel": channel,
				"recorded_by": frappe.session.user,
				"note": note,
			},
		)
		self.save()

	def record_decision(self, decision: str):
		"""R2: the person the complaint is routed to (or a System Manager) records the decision; the server
		stamps who and when (permission level 1), once."""
		text = self.check_routed_action("routed_to", "decided_at", decision)
		self.store_record(decision=text, decided_by=frappe.session.user, decided_at=now_datetime())
		self.save()
		routing.done(self, "routed_to")
		self.add_comment("Info", _("Decision recorded by {0}: {1}").format(frappe.session.user, text))

	def record_owner_meeting(self, notes: str):
		"""R42: the property's office director (or a System Manager) records meeting the owner about the
		dispute; the server stamps the moment (permission level 1), once."""
		text = self.check_routed_action("dispute_director", "met_owner_at", notes)
		self.store_record(meeting_notes=text, met_owner_at=now_datetime())
		self.save()
		routing.done(self, "dispute_director")
		self.add_comment(
			"Info", _("Meeting with the owner recorded by {0}: {1}").format(frappe.session.user, text)
		)

	def check_routed_action(self, who: str, stamp: str, text: str | None) -> str:
		"""Only the person a route names (else any of those it asks), or a System Manager, takes its action,
		once, with words."""
		asked = routing.routed_people(self, who)  # the person named, else every holder asked (R4)
		if not asked:
			frappe.throw(
				_("This case is not routed to anyone for this."), DecisionError, title=_("Not Routed")
			)
		user = frappe.session.user
		if user not in asked and "System Manager" not in frappe.get_roles(user):
			frappe.throw(
				_("Only {0}, to whom this case is routed, may record this.").format(", ".join(asked)),
				frappe.PermissionError,
			)
		if self.get(stamp):
			frappe.throw(
				_("This was recorded already, at {0}.").format(self.get(stamp)),
				DecisionError,
				title=_("Already Recorded"),
			)
		text = (text or "").strip()
		if not text:
			frappe.throw(
				_("Write what was decided or agreed."), DecisionError, title=_("Missing Information")
			)
		if has_markup(text):  # stored directly and shown on the timeline: plain words only
			frappe.throw(
				_("{0} must be plain text: angle brackets are not allowed.").format(_("The record")),
				DecisionError,
				title=_("Invalid Input"),
			)
		if len(text) > MAX_TEXT_LENGTH:
			frappe.throw(
				_("{0} is too long: at most {1} characters.").format(_("The record"), MAX_TEXT_LENGTH),
				DecisionError,
				title=_("Invalid Input"),
			)
		return text

	def store_record(self, table: str | None = None, row: dict | None = None, **values):
		"""Write an action's record row and the case values it moves straight to the database (in the caller's
		transaction), so the save that follows finds them in the stored case: nobody else can write them."""
		if table:
			self.append(table, row).db_insert()
		if values:
			self.update(values)
			frappe.db.set_value(CASE, self.name, values, update_modified=False)


def reported_by_resident() -> bool:
	"""A case is reported on the portal when the session user is a resident (a website user holding the
	portal role); staff take calls in the desk."""
	user = frappe.session.user
	return frappe.get_cached_value("User", user, "user_type") == "Website User" and RESIDENT_ROLE in (
		frappe.get_roles(user)
	)


REASONS_CACHE_KEY = "property_helpdesk:liability_reasons"


def liability_reason_text(reason: str) -> str:
	"""A liability reason in the site's language. Cases are taken all day: the few reasons are translated once per
	language and kept in the cache (cleared with Frappe's), so taking a call does not load every app's
	translations."""
	lang = frappe.get_system_settings("language") or "en"
	texts = frappe.cache.hget(
		REASONS_CACHE_KEY, lang, generator=lambda: {r: _(r, lang=lang) for r in REASONS}
	)
	return texts.get(reason) or _(reason, lang=lang)


def clear_reason_cache() -> None:
	frappe.cache.delete_value(REASONS_CACHE_KEY)


def record_rows(rows, fields) -> list[tuple]:
	"""A child table's recorded values, comparable whether they came from the database or a request."""
	return [
		tuple(
			str(get_datetime(row.get(f))) if f.endswith("_at") and row.get(f) else (row.get(f) or "")
			for f in fields
		)
		for row in rows or []
	]


def portal_acceptors(property_name: str | None) -> list[str]:
	"""R34, R38 with R4: who accepts a portal case, its acceptor first: the property's first area administrator,
	else the office director it names; where it names neither, every office director who works for the
	property, else every duty staff who does. The first of them by name is the acceptor (the case needs one
	follow-up owner whose name and phone the resident is given, R34, and a resident's report is never refused);
	every one of them has the case on their list."""
	people = (
		area_administrators(property_name)[:1]
		or property_post(property_name, "office_director")  # the one named, else every holder for it
		or holders(DUTY_STAFF, property_name)
	)
	if not people:
		frappe.throw(
			_("Nobody can accept portal cases: name an area administrator for the property."),
			NobodyToTellError,
		)
	return people


def get_name_and_phone(user: str | None) -> tuple[str | None, str | None]:
	"""R34: the name and phone the resident is given for the follow-up owner."""
	if not user:
		return None, None
	full_name, mobile, phone = frappe.get_cached_value("User", user, ["full_name", "mobile_no", "phone"])
	return full_name, mobile or phone or None


def get_warranty_rule(rule_name: str, property_name: str):
	"""The rule chosen, or the same component's rule for this property where one overrides it."""
	rule = frappe.get_cached_value(
		"Warranty Rule",
		rule_name,
		["component", "property", "builder_period", "builder_unit", "owner_period", "owner_unit"],
		as_dict=True,
	)
	if rule and not rule.property:
		override = frappe.db.get_value(
			"Warranty Rule",
			{"component": rule.component, "property": property_name, "enabled": 1},
			["component", "property", "builder_period", "builder_unit", "owner_period", "owner_unit"],
			as_dict=True,
		)
		rule = override or rule
	return rule


def get_decision_maker(level: str | None, property_name: str | None) -> str | None:
	"""R2/R4: the one person the case's route names (`routing.decision_makers`: the office director for the
	office head's decisions, the general manager for leadership's), none where several are asked."""
	return the_one(routing.decision_makers(level, property_name))


def on_doctype_update():
	# The resident portal's "my cases" page: a unit's cases, newest first, whatever the site holds.
	frappe.db.add_index(CASE, ["unit", "creation"])
	# The workspace's Overdue and Due Soon cards: open cases by R29's deadline (services/workspace.py).
	frappe.db.add_index(CASE, ["status", "kpi_due_at"])

"""纠正措施 (R32): recurring complaints and KPI swings raise a Corrective Action, once each.

- A complaint on a ground from a unit that already complained on the same ground within the window of Settings
  (the count of Settings reached), or from a building whose units did, raises one action; later complaints of
  the same kind join the open action instead of raising another.
- After each month, a property whose 处理及时率 (R29) or 零修急修及时率 (R30) moved by the swing of Settings from the
  month before, or that missed an R30 target, gets one action for that month and KPI.
Owner and due date come from Settings (R31); the owner gets the action as a ToDo on the desk.
"""

from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.utils import add_days, add_months, get_datetime, get_first_day, get_last_day, getdate, today

from property_helpdesk.constants import CLOSED_STATES, COMPLAINT, CORRECTIVE_ACTION, PROPERTY, QUALITY_OFFICER
from property_helpdesk.roles import holders, property_post, the_one
from property_helpdesk.services import kpi, notify

DOCTYPE = CORRECTIVE_ACTION
OPEN_STATES = ("Open", "In Progress")  # a Corrective Action's own states


# -- called by the Service Ticket controller (before_validate, on_update) ----------------------------------


def count_reopen(doc):
	"""R29: a case taken back from Resolved or Closed is counted; a reopened case is never on time."""
	before = doc.get_doc_before_save()
	if before and before.status in CLOSED_STATES and doc.status not in CLOSED_STATES:
		doc.reopen_count = (doc.reopen_count or 0) + 1


def check_recurrence(doc):
	"""R32: a complaint repeating on one unit or building and ground within the window raises an action."""
	if doc.ticket_type != COMPLAINT or not doc.complaint_ground or not doc.unit:
		return
	before = doc.get_doc_before_save()
	if before and before.complaint_ground == doc.complaint_ground and before.unit == doc.unit:
		return  # already checked when the ground was set
	s = kpi.settings()
	window, needed = int(s.recurrence_window_days or 0), int(s.recurrence_min_complaints or 0)
	if window <= 0 or needed < 2:
		return
	called = get_datetime(doc.call_started_at)
	since = called - timedelta(days=window)
	unit = frappe.get_cached_value("Property Unit", doc.unit, ["property", "building"], as_dict=True)
	same_unit = recent_complaints(doc.complaint_ground, since, called, unit=doc.unit)
	if len(same_unit) >= needed:
		raise_recurring(doc, same_unit, unit.property, unit=doc.unit)
		return
	same_building = recent_complaints(
		doc.complaint_ground, since, called, property_name=unit.property, building=unit.building
	)
	if len(same_building) >= needed:
		raise_recurring(doc, same_building, unit.property, building=unit.building)


def recent_complaints(ground, since: datetime, until: datetime, unit=None, property_name=None, building=None):
	params = {"ground": ground, "since": since, "until": until}
	if unit:
		where, params["unit"] = "t.unit = %(unit)s", unit
	else:
		where = "t.unit in (select u.name from `tabProperty Unit` u where u.property = %(property)s and u.building = %(building)s)"
		params.update({"property": property_name, "building": building})
	return [
		r[0]
		for r in frappe.db.sql(
			f"""select t.name from `tabService Ticket` t
			where t.ticket_type = 'Complaint' and t.complaint_ground = %(ground)s
				and t.call_started_at >= %(since)s and t.call_started_at <= %(until)s and {where}
			order by t.call_started_at""",
			params,
		)
	]


def raise_recurring(doc, cases: list[str], property_name: str, unit=None, building=None):
	filters = {
		"source": "Recurring Complaint",
		"status": ("in", OPEN_STATES),
		"complaint_ground": doc.complaint_ground,
		"property": property_name,
	}
	filters.update({"unit": unit} if unit else {"building": building, "unit": ("is", "not set")})
	existing = frappe.db.get_value(DOCTYPE, filters, ["name", "related_cases"], as_dict=True)
	if existing:
		known = (existing.related_cases or "").split("\n")
		missing = [c for c in cases if c not in known]
		if missing:
			frappe.db.set_value(
				DOCTYPE, existing.name, "related_cases", "\n".join(filter(None, known + missing))
			)
		return existing.name
	where = unit or f"{property_name} {building}"
	return raise_action(
		trigger_key=f"RC:{unit or property_name + '/' + building}:{doc.complaint_ground}:{doc.name}",
		title=_("Recurring complaints on {0} at {1}").format(doc.complaint_ground, where),
		source="Recurring Complaint",
		property=property_name,
		unit=unit,
		building=building,
		complaint_ground=doc.complaint_ground,
		related_cases="\n".join(cases),
	)


# -- actions ------------------------------------------------------------------------------------------------


def action_owners(property_name: str | None) -> tuple[str, list[str]]:
	"""R32 with R4: the action's owner and everyone it is assigned to. Settings name the owner (综合室); where
	they name nobody, every quality officer who works for the property is assigned (else its office director,
	named or every holder), and the record's owner is the only one of them, else the office director the
	property names, else Administrator (the system's own: nobody picked by sort order)."""
	named = kpi.settings().corrective_action_owner
	if named:
		return named, [named]
	people = holders(QUALITY_OFFICER, property_name) or (
		property_post(property_name, "office_director") if property_name else []
	)
	owner = (
		the_one(people)
		or (property_name and frappe.get_cached_value(PROPERTY, property_name, "office_director"))
		or notify.SYSTEM_USER
	)
	return owner, [user for user in dict.fromkeys((owner, *people)) if user != notify.SYSTEM_USER]


def raise_action(trigger_key: str, **values) -> str | None:
	"""One action per trigger: a second call with the same key does nothing."""
	if frappe.db.exists(DOCTYPE, {"trigger_key": trigger_key}):
		return None
	owner, assignees = action_owners(values.get("property"))
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"trigger_key": trigger_key,
			"status": "Open",
			"action_owner": owner,
			"due_date": add_days(today(), int(kpi.settings().corrective_action_days or 30)),
			**values,
		}
	)
	doc.insert(ignore_permissions=True)
	for user in assignees:
		# the action on each one's list: Frappe's assignment, as the saving transaction commits (a complaint
		# whose save fails assigns nobody)
		notify.assign(DOCTYPE, doc.name, user, doc.title, date=doc.due_date)
	return doc.name


# -- after each month: KPI swings and breaches ---------------------------------------------------------------

KPI_CASE = "Case Timeliness"
KPI_MINOR = "Minor Repair Timeliness"
KPI_REWORK = "Rework Rate"


def month_filters(day) -> dict:
	return {"from_date": str(get_first_day(day)), "to_date": str(get_last_day(day))}


def check_kpi_swings(month_day=None) -> list[str]:
	"""R32: compare the month of `month_day` (default: last month) with the month before, per property."""
	month_day = getdate(month_day or add_months(today(), -1))
	label = month_day.strftime("%Y-%m")
	this, before = month_filters(month_day), month_filters(add_months(month_day, -1))
	s = kpi.settings()
	swing = float(s.kpi_swing_points or 0)
	raised = []

	def by_property(rows, part, whole):
		return {r.group_key: (kpi.rate(r[part], r[whole]), r[whole]) for r in rows if r.group_key}

	jobs_now, jobs_before = kpi.repair_kpi(this), kpi.repair_kpi(before)
	series = {
		KPI_CASE: (
			by_property(kpi.case_timeliness(this), "on_time", "total"),
			by_property(kpi.case_timeliness(before), "on_time", "total"),
		),
		KPI_MINOR: (
			by_property(jobs_now, "minor_on_time", "minor"),
			by_property(jobs_before, "minor_on_time", "minor"),
		),
		KPI_REWORK: (
			by_property(jobs_now, "rework", "completed"),
			by_property(jobs_before, "rework", "completed"),
		),
	}
	for name, (current, previous) in series.items():
		for prop, (value, whole) in current.items():
			if value is None or not whole:
				continue
			prev = previous.get(prop, (None, 0))[0]
			if swing and prev is not None and abs(value - prev) >= swing:
				raised.append(
					raise_action(
						trigger_key=f"KPI:{prop}:{name}:{label}",
						title=_("{0} of {1} moved from {2}% to {3}% in {4}").format(
							_(name), prop, prev, value, label
						),
						source="KPI Swing",
						property=prop,
						kpi=name,
						period=label,
						kpi_value=value,
						kpi_previous=prev,
					)
				)
			missed = (name == KPI_MINOR and value < float(s.minor_repair_timeliness_target or 0)) or (
				name == KPI_REWORK and value > float(s.rework_rate_ceiling or 100)
			)
			if missed:
				raised.append(
					raise_action(
						trigger_key=f"KPI-BREACH:{prop}:{name}:{label}",
						title=_("{0} of {1} missed its target in {2}: {3}%").format(
							_(name), prop, label, value
						),
						source="KPI Breach",
						property=prop,
						kpi=name,
						period=label,
						kpi_value=value,
						kpi_previous=prev,
					)
				)
	return [r for r in raised if r]

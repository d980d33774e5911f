"""The procedure's numbers (R26, R27, R29, R30, R32), counted by the database.

Every figure is one GROUP BY over the case or work-order table: the controllers store what decides a case's
timeliness on the row (`kpi_due_at`, `handled_at`, `reopen_count`; see services/clocks.refresh), so the reports
never load cases into Python. Table and column names below are constants of this app; every value reaches the
database as a parameter.

Definitions (docs/architecture.md, "Reports and KPIs"):
- R29 处理及时率 = 及时处理件数 ÷ 总件数 × 100%, over repairs and paid services (《维修单》), complaints
  (《投诉记录表》) and service requests (《业户服务需求记录表》) received in the period. 总件数 counts the cases
  whose timeliness is decided: handled, or past their deadline. A case is on time when it was handled by its
  deadline and never reopened; late when handled after it, reopened, or still open past it; pending otherwise.
- R30 零修急修及时率 = minor/urgent jobs completed by their limit ÷ minor/urgent jobs completed; 返修率 = rework
  jobs ÷ jobs completed, both over the work orders completed in the period.
"""

from datetime import date, datetime, timedelta

import frappe
from frappe import _
from frappe.utils import add_months, flt, get_first_day, get_last_day, getdate, now_datetime

SETTINGS = "Property Helpdesk Settings"
KPI_TYPES = ("Repair", "Paid Service", "Complaint", "Service Request")
REPAIR_TYPES = ("Repair", "Paid Service")
OPEN_STATES = ("Open", "In Progress")
MINOR = "Minor or Urgent"

# The team that answers for a case: the maintenance team for repairs, the decision maker's level for routed
# complaints (R2), customer service otherwise.
TEAM_SQL = (
	"(case when t.ticket_type in ('Repair', 'Paid Service') then 'Maintenance Team'"
	" when t.routed_to_level = 'Company Leadership' then 'Company Leadership'"
	" when t.routed_to_level = 'Office Head' then 'Management Office'"
	" else 'Customer Service Centre' end)"
)
ON_TIME_SQL = (
	"(t.handled_at is not null and t.reopen_count = 0"
	" and (t.kpi_due_at is null or t.handled_at <= t.kpi_due_at))"
)
LATE_SQL = (
	"((t.handled_at is not null and (t.reopen_count > 0 or t.handled_at > t.kpi_due_at))"
	" or (t.handled_at is null and t.kpi_due_at < %(now)s))"
)
PENDING_SQL = "(t.handled_at is null and (t.kpi_due_at is null or t.kpi_due_at >= %(now)s))"
VERDICT_SQL = f"(case when {ON_TIME_SQL} then 'On Time' when {LATE_SQL} then 'Late' else 'Pending' end)"
MONTH_SQL = "date_format(t.call_started_at, '%%Y-%%m')"

CASE_GROUPS = {
	"Property": "t.property",
	"Month": MONTH_SQL,
	"Case Type": "t.ticket_type",
	"Team": TEAM_SQL,
	"Person": "t.follow_up_owner",
}
MEASURES = {
	"on_time": ON_TIME_SQL,
	"late": LATE_SQL,
	"pending": PENDING_SQL,
	"decided": f"(not {PENDING_SQL})",
}


def settings():
	return frappe.get_cached_doc(SETTINGS)


def rate(part, whole) -> float | None:
	"""A percentage with two decimals, None when there is nothing to divide."""
	return round(100.0 * flt(part) / flt(whole), 2) if whole else None


# -- filters ------------------------------------------------------------------------------------------------


def period(filters, default_months: int = 12) -> tuple[datetime, datetime]:
	"""[start, end) of the report's period: from the first day to the end of the last day."""
	to_date = getdate(filters.get("to_date") or getdate())
	from_date = getdate(filters.get("from_date") or get_first_day(add_months(to_date, 1 - default_months)))
	start = datetime.combine(from_date, datetime.min.time())
	end = datetime.combine(to_date, datetime.min.time()) + timedelta(days=1)
	return start, end


def case_conditions(filters, types=KPI_TYPES, date_field="t.call_started_at") -> tuple[list[str], dict]:
	"""WHERE conditions over `tabService Ticket` t shared by the case reports."""
	filters = frappe._dict(filters or {})
	start, end = period(filters)
	params = {"start": start, "end": end, "now": now_datetime()}
	conditions = [f"{date_field} >= %(start)s", f"{date_field} < %(end)s"]
	ticket_type = filters.get("ticket_type")
	if ticket_type:
		params["types"] = (ticket_type,) if ticket_type in types else ("",)
	else:
		params["types"] = tuple(types)
	conditions.append("t.ticket_type in %(types)s")
	if filters.get("property"):
		conditions.append("t.property = %(property)s")
		params["property"] = filters.property
	if filters.get("team"):
		conditions.append(f"{TEAM_SQL} = %(team)s")
		params["team"] = filters.team
	if filters.get("person"):
		conditions.append("t.follow_up_owner = %(person)s")
		params["person"] = filters.person
	for field in ("complaint_ground", "unit", "validity_class"):
		if filters.get(field):
			conditions.append(f"t.{field} = %({field})s")
			params[field] = filters[field]
	return conditions, params


def month_bounds(key: str) -> tuple[str, str]:
	first = getdate(f"{key}-01")
	return str(first), str(get_last_day(first))


def group_label(group_by: str, key) -> str:
	if key in (None, ""):
		return _("Not Set")
	if group_by in ("Case Type", "Team", "Validity Class"):
		return _(key)
	if group_by == "Person":
		return frappe.utils.get_fullname(key)
	return str(key)


def drill_filters(filters, group_by: str, key) -> dict:
	"""The report's filters narrowed to one row's group: the cases behind its numbers are one click away."""
	out = {k: v for k, v in filters.items() if v not in (None, "") and k not in ("show_cases", "measure")}
	if group_by == "Month" and key:
		out["from_date"], out["to_date"] = month_bounds(key)
	elif key not in (None, ""):
		out[
			{
				"Property": "property",
				"Case Type": "ticket_type",
				"Team": "team",
				"Person": "person",
				"Ground": "complaint_ground",
				"Unit": "unit",
				"Validity Class": "validity_class",
				"Technician": "person",
			}[group_by]
		] = key
	return out


# -- R29 处理及时率 ------------------------------------------------------------------------------------------


def grouping(group_by: str, groups: dict) -> str:
	"""The report's "Group By", refused with a message when it is not one the report offers."""
	if group_by not in groups:
		frappe.throw(
			_("Group by one of: {0}").format(", ".join(_(g) for g in groups)), title=_("Invalid Input")
		)
	return group_by


def case_timeliness(filters, group_by: str = "Property") -> list[dict]:
	"""R29 per group: total (decided), on time, late, pending and the rate."""
	conditions, params = case_conditions(filters)
	key = CASE_GROUPS[grouping(group_by, CASE_GROUPS)]
	rows = frappe.db.sql(
		f"""select {key} as group_key, count(*) as received,
			sum({ON_TIME_SQL}) as on_time, sum({PENDING_SQL}) as pending
		from `tabService Ticket` t
		where {" and ".join(conditions)}
		group by group_key order by group_key""",
		params,
		as_dict=True,
	)
	for row in rows:
		# every case is exactly one of on time, late or pending (LATE_SQL is the rest)
		row.on_time, row.pending = int(row.on_time or 0), int(row.pending or 0)
		row.late = int(row.received) - row.on_time - row.pending
		row.total = row.on_time + row.late
		row.rate = rate(row.on_time, row.total)
	return rows


def case_list(filters, measure: str | None = None, types=KPI_TYPES, limit: int = 5000) -> list[dict]:
	"""The cases behind a number of R29 or R32, with their verdict."""
	filters = frappe._dict(filters or {})
	conditions, params = case_conditions(filters, types)
	if measure in MEASURES:
		conditions.append(MEASURES[measure])
	return frappe.db.sql(
		f"""select t.name as service_ticket, t.ticket_type, t.property, t.unit, t.subject,
			t.follow_up_owner, t.status, t.call_started_at, t.kpi_due_at, t.handled_at, t.reopen_count,
			t.complaint_ground, t.validity_class, {VERDICT_SQL} as verdict
		from `tabService Ticket` t
		where {" and ".join(conditions)}
		order by t.call_started_at limit {int(limit)}""",
		params,
		as_dict=True,
	)


# -- R30 零修急修及时率, 返修率 ----------------------------------------------------------------------------------

JOB_GROUPS = {
	"Property": "w.property",
	"Month": "date_format(w.completed_at, '%%Y-%%m')",
	"Technician": "w.technician",
}
JOB_ON_TIME_SQL = f"(w.job_class = '{MINOR}' and (w.kpi_due_at is null or w.completed_at <= w.kpi_due_at))"
JOB_LATE_SQL = f"(w.job_class = '{MINOR}' and w.completed_at > w.kpi_due_at)"
REWORK_SQL = "(w.rework_of is not null and w.rework_of != '')"


def job_conditions(filters) -> tuple[list[str], dict]:
	"""WHERE conditions over `tabRepair Work Order` w: jobs completed in the period."""
	filters = frappe._dict(filters or {})
	start, end = period(filters)
	params = {"start": start, "end": end}
	conditions = ["w.completed_at >= %(start)s", "w.completed_at < %(end)s", "w.status != 'Cancelled'"]
	if filters.get("property"):
		conditions.append("w.property = %(property)s")
		params["property"] = filters.property
	if filters.get("person"):
		conditions.append("w.technician = %(person)s")
		params["person"] = filters.person
	if filters.get("ticket_type"):
		# A paid service's job is a paid job; complaints and requests have none.
		paid = {"Repair": "0", "Paid Service": "1"}.get(filters.ticket_type)
		conditions.append(f"w.paid_service = {paid}" if paid else "1 = 0")
	if filters.get("team") and filters.team != "Maintenance Team":
		conditions.append("1 = 0")
	return conditions, params


def repair_kpi(filters, group_by: str = "Property") -> list[dict]:
	"""R30 per group, with the targets of the service commitment (R31)."""
	conditions, params = job_conditions(filters)
	s = settings()
	# R21: the aim (2 h) ends as many minutes before the limit (24 h) as the two differ; kpi_due_at already
	# carries the limit and any paused minutes
	params["aim_gap"] = round((flt(s.minor_repair_limit_hours) - flt(s.minor_repair_target_hours)) * 60)
	rows = frappe.db.sql(
		f"""select {JOB_GROUPS[grouping(group_by, JOB_GROUPS)]} as group_key, count(*) as completed,
			sum(w.job_class = '{MINOR}') as minor, sum({JOB_ON_TIME_SQL}) as minor_on_time,
			sum(w.job_class = '{MINOR}' and w.completed_at <= w.kpi_due_at - interval %(aim_gap)s minute)
				as minor_within_aim,
			sum({REWORK_SQL}) as rework
		from `tabRepair Work Order` w
		where {" and ".join(conditions)}
		group by group_key order by group_key""",
		params,
		as_dict=True,
	)
	for row in rows:
		for field in ("completed", "minor", "minor_on_time", "minor_within_aim", "rework"):
			row[field] = int(row[field] or 0)
		row.minor_late = row.minor - row.minor_on_time
		row.minor_aim_rate = rate(row.minor_within_aim, row.minor)
		row.minor_rate = rate(row.minor_on_time, row.minor)
		row.minor_target = flt(s.minor_repair_timeliness_target)
		row.minor_met = None if row.minor_rate is None else int(row.minor_rate >= row.minor_target)
		row.rework_rate = rate(row.rework, row.completed)
		row.rework_ceiling = flt(s.rework_rate_ceiling)
		row.rework_met = None if row.rework_rate is None else int(row.rework_rate <= row.rework_ceiling)
	return rows


def job_breaches(filters, measure: str | None = None, limit: int = 5000) -> list[dict]:
	"""R30's breaches: minor/urgent jobs completed late, and rework jobs."""
	conditions, params = job_conditions(filters)
	which = {"late": JOB_LATE_SQL, "rework": REWORK_SQL}.get(measure, f"({JOB_LATE_SQL} or {REWORK_SQL})")
	conditions.append(which)
	return frappe.db.sql(
		f"""select w.name as work_order, w.service_ticket, w.property, w.unit, w.subject, w.technician,
			w.job_class, w.kpi_due_at, w.completed_at, w.rework_of,
			case when {JOB_LATE_SQL} then timestampdiff(minute, w.kpi_due_at, w.completed_at) end
				as minutes_late,
			case when {REWORK_SQL} then 'Rework' else 'Late' end as breach
		from `tabRepair Work Order` w
		where {" and ".join(conditions)}
		order by w.completed_at limit {int(limit)}""",
		params,
		as_dict=True,
	)


# -- workspace number cards ---------------------------------------------------------------------------------


def this_month() -> dict:
	today = getdate()
	return {"from_date": str(get_first_day(today)), "to_date": str(today)}


def overall(rows: list[dict], part: str, whole: str) -> float | None:
	return rate(sum(r[part] for r in rows), sum(r[whole] for r in rows))


@frappe.whitelist()
def overdue_cases_card(filters=None) -> dict:
	"""Open cases past the deadline that decides their timeliness (R29)."""
	frappe.has_permission("Service Ticket", "read", throw=True)
	count = frappe.db.sql(
		"""select count(*) from `tabService Ticket` t
		where t.status in %(open)s and t.handled_at is null and t.kpi_due_at < %(now)s""",
		{"open": OPEN_STATES, "now": now_datetime()},
	)[0][0]
	return {"value": count, "fieldtype": "Int", "route": ["query-report", "Case Timeliness"]}


@frappe.whitelist()
def timeliness_rate_card(filters=None) -> dict:
	"""This month's 处理及时率 (R29)."""
	frappe.has_permission("Service Ticket", "read", throw=True)
	rows = case_timeliness(this_month())
	return {"value": overall(rows, "on_time", "total"), "fieldtype": "Percent"}


@frappe.whitelist()
def minor_timeliness_rate_card(filters=None) -> dict:
	"""This month's 零修急修及时率 (R30)."""
	frappe.has_permission("Repair Work Order", "read", throw=True)
	rows = repair_kpi(this_month())
	return {"value": overall(rows, "minor_on_time", "minor"), "fieldtype": "Percent"}


@frappe.whitelist()
def rework_rate_card(filters=None) -> dict:
	"""This month's 返修率 (R30)."""
	frappe.has_permission("Repair Work Order", "read", throw=True)
	rows = repair_kpi(this_month())
	return {"value": overall(rows, "rework", "completed"), "fieldtype": "Percent"}


def computed_labels() -> dict[str, str]:
	"""Values the queries compute (no DocType option holds them), translated."""
	return {
		"On Time": _("On Time"),
		"Late": _("Late"),
		"Pending": _("Pending"),
		"Rework": _("Rework"),
		"Maintenance Team": _("Maintenance Team"),
		"Customer Service Centre": _("Customer Service Centre"),
		"Management Office": _("Management Office"),
		"Company Leadership": _("Company Leadership"),
	}


def case_column(fieldname: str, **overrides) -> dict:
	"""A column of the case lists behind the reports' counts: defined once, the same in every report."""
	columns = {
		"service_ticket": {
			"label": _("Service Ticket"),
			"fieldtype": "Link",
			"options": "Service Ticket",
			"width": 150,
		},
		"property": {"label": _("Property"), "fieldtype": "Link", "options": "Property"},
		"unit": {"label": _("Housing Unit"), "fieldtype": "Link", "options": "Property Unit"},
		"subject": {"label": _("Reported Item"), "fieldtype": "Data"},
		"status": {"label": _("Status"), "fieldtype": "Data", "width": 90},
		"call_started_at": {"label": _("Call or Visit Began At"), "fieldtype": "Datetime"},
		"follow_up_owner": {"label": _("Follow-up Owner"), "fieldtype": "Link", "options": "User"},
	}
	return {"fieldname": fieldname, **columns[fieldname], **overrides}


def translated(rows: list[dict], *fields: str) -> list[dict]:
	"""Show stored English option values in the user's language (the report and its Excel export)."""
	labels = computed_labels()
	for row in rows:
		for field in fields:
			if row.get(field):
				row[field] = labels.get(row[field]) or _(row[field])
	return rows


# -- R27 月度报修汇总 -----------------------------------------------------------------------------------------


# An open item: the job is not done, or the resident reopened the case and it is not resolved again.
OPEN_ITEM_SQL = "(t.status in %(open)s and (t.handled_at is null or t.reopen_count > 0))"


def summary_conditions(filters) -> tuple[list[str], dict]:
	"""Repairs received in the period, and the ones received earlier that are still open (chased until done)."""
	conditions, params = case_conditions(filters, REPAIR_TYPES)
	conditions[0] = f"(t.call_started_at >= %(start)s or {OPEN_ITEM_SQL})"
	params["open"] = OPEN_STATES
	if frappe._dict(filters or {}).get("developer"):
		conditions.append(
			"t.property in (select p.name from `tabProperty` p where p.developer = %(developer)s)"
		)
		params["developer"] = filters["developer"]
	return conditions, params


def repair_summary(filters) -> list[dict]:
	"""R27 per property: received, completed and open in the period, open items carried from before, the
	overdue ones and the residents' reminders on open items."""
	conditions, params = summary_conditions(filters)
	rows = frappe.db.sql(
		f"""select t.property as property,
			sum(t.call_started_at >= %(start)s) as received,
			sum(t.call_started_at >= %(start)s and not {OPEN_ITEM_SQL}) as completed,
			sum(t.call_started_at >= %(start)s and {OPEN_ITEM_SQL}) as still_open,
			sum(t.call_started_at < %(start)s) as carried,
			sum({OPEN_ITEM_SQL} and t.kpi_due_at < %(now)s) as overdue,
			sum(if({OPEN_ITEM_SQL}, t.reminder_count, 0)) as reminders
		from `tabService Ticket` t
		where {" and ".join(conditions)}
		group by t.property order by t.property""",
		params,
		as_dict=True,
	)
	developers = dict(
		frappe.get_all(
			"Property",
			filters={"name": ("in", [r.property for r in rows])},
			fields=["name", "developer"],
			as_list=1,
		)
	)
	for row in rows:
		for field in ("received", "completed", "still_open", "carried", "overdue", "reminders"):
			row[field] = int(row[field] or 0)
		row.open_items = row.still_open + row.carried
		row.developer = developers.get(row.property)
	return rows


def open_items(filters, limit: int = 5000) -> list[dict]:
	"""R27: every open repair item with its chasers: reminders, escalations (督办) and liaison-sheet chases."""
	conditions, params = summary_conditions(filters)
	conditions.append(OPEN_ITEM_SQL)
	return frappe.db.sql(
		f"""select t.name as service_ticket, t.property, p.developer, t.unit, t.subject, t.status,
			t.call_started_at, t.kpi_due_at, t.follow_up_owner, t.reminder_count,
			(select count(*) from `tabEscalation` e where e.service_ticket = t.name) as escalations,
			(select e.level from `tabEscalation` e where e.service_ticket = t.name
				order by e.escalated_at desc limit 1) as last_escalation,
			(select count(*) from `tabLiaison Chase` c join `tabLiaison Sheet Case` lc
				on lc.parent = c.parent and lc.parenttype = 'Liaison Sheet'
				where lc.service_ticket = t.name) as liaison_chases,
			(t.kpi_due_at < %(now)s) as overdue
		from `tabService Ticket` t left join `tabProperty` p on p.name = t.property
		where {" and ".join(conditions)}
		order by t.call_started_at limit {int(limit)}""",
		params,
		as_dict=True,
	)


# -- R26 登记日志核对 -----------------------------------------------------------------------------------------


def job_logs(filters, limit: int = 5000) -> list[dict]:
	"""R26: each daily job log with its jobs, open items and reconciliation state."""
	filters = frappe._dict(filters or {})
	start, end = period(filters, default_months=1)
	params = {"start": start.date(), "end": end.date(), "today": getdate()}
	conditions = ["l.log_date >= %(start)s", "l.log_date < %(end)s"]
	if filters.get("property"):
		conditions.append("l.property = %(property)s")
		params["property"] = filters.property
	if filters.get("person"):
		conditions.append("l.kept_by = %(person)s")
		params["person"] = filters.person
	if filters.get("unreconciled_only"):
		conditions.append("l.reconciled = 0")
	if filters.get("team") and filters.team != "Maintenance Team":
		conditions.append("1 = 0")  # the log is the maintenance team's
	jobs_join, having = "", ""
	if filters.get("ticket_type"):
		# only the jobs of that case type count, and logs without any are left out
		paid = {"Repair": "0", "Paid Service": "1"}.get(filters.ticket_type)
		jobs_join = " join `tabRepair Work Order` w on w.name = j.work_order" + (
			f" and w.paid_service = {paid}" if paid else " and 1 = 0"
		)
		having = "having jobs > 0"
	params["days"] = int(settings().reconciliation_days or 2)
	return frappe.db.sql(
		f"""select l.name as job_log, l.property, l.log_date, l.kept_by, count(j.name) as jobs,
			l.open_items, l.reconciled, l.reconciled_by, l.reconciled_at,
			date_add(l.log_date, interval %(days)s day) as reconcile_by,
			(l.reconciled = 0 and date_add(l.log_date, interval %(days)s day) < %(today)s) as overdue
		from `tabMaintenance Job Log` l
			left join (`tabJob Log Entry` j{jobs_join})
				on j.parent = l.name and j.parenttype = 'Maintenance Job Log'
		where {" and ".join(conditions)}
		group by l.name {having}
		order by l.log_date desc, l.property limit {int(limit)}""",
		params,
		as_dict=True,
	)


# -- R32 投诉统计分析 -----------------------------------------------------------------------------------------

COMPLAINT_TYPES = ("Complaint", "Service Request")
COMPLAINT_GROUPS = {
	"Ground": "t.complaint_ground",
	"Property": "t.property",
	"Team": TEAM_SQL,
	"Unit": "t.unit",
	"Validity Class": "t.validity_class",
	"Month": MONTH_SQL,
}


def half_year(day: date | None = None) -> tuple[date, date]:
	"""The half-year before the one `day` falls in (the analysis of 1 July covers January to June)."""
	day = day or getdate()
	if day.month <= 6:
		return date(day.year - 1, 7, 1), date(day.year - 1, 12, 31)
	return date(day.year, 1, 1), date(day.year, 6, 30)


def complaint_analysis(filters, group_by: str = "Ground") -> list[dict]:
	"""R32 per ground, property, team, unit (recurring ones only if asked), validity class or month."""
	filters = frappe._dict(filters or {})
	if not filters.get("ticket_type"):
		filters.ticket_type = "Complaint"
	conditions, params = case_conditions(filters, COMPLAINT_TYPES)
	having = ""
	if group_by == "Unit" and filters.get("recurring_only"):
		having = "having count(*) >= %(min_count)s"
		params["min_count"] = int(settings().recurrence_min_complaints or 2)
	rows = frappe.db.sql(
		f"""select {COMPLAINT_GROUPS[grouping(group_by, COMPLAINT_GROUPS)]} as group_key, count(*) as total,
			sum(t.validity_class = 'Valid Complaint') as valid,
			sum(t.validity_class = 'Matter to Assist') as to_assist,
			sum(t.validity_class = 'Excessive Demand') as excessive,
			sum(t.status in ('Resolved', 'Closed')) as resolved,
			sum({ON_TIME_SQL}) as on_time, sum({PENDING_SQL}) as pending
		from `tabService Ticket` t
		where {" and ".join(conditions)}
		group by group_key {having} order by total desc, group_key""",
		params,
		as_dict=True,
	)
	grand = sum(r.total for r in rows)
	if having:  # a share of all the period's complaints, not only of the recurring units' ones
		grand = frappe.db.sql(
			f"select count(*) from `tabService Ticket` t where {' and '.join(conditions)}", params
		)[0][0]
	for row in rows:
		for field in ("valid", "to_assist", "excessive", "resolved", "on_time", "pending"):
			row[field] = int(row[field] or 0)
		row.unclassified = row.total - row.valid - row.to_assist - row.excessive
		row.late = row.total - row.on_time - row.pending
		row.share = rate(row.total, grand)
		row.rate = rate(row.on_time, row.on_time + row.late)
	return rows

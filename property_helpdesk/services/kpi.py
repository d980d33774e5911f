"""The procedure's numbers (R26, R27, R29, R30, R32), counted by the database with frappe.qb.

Every figure is one GROUP BY over the case or work-order table: the controllers store what decides a case's
timeliness on the row (`kpi_due_at`, `handled_at`, `reopen_count`; see services/clocks.refresh), so the reports
never load cases into Python to count them.

What counts as on time, late, pending, overdue and rework is not written here: it is stated once in
procedure/clocks.py (CASE_ON_TIME, CASE_LATE, CASE_PENDING, JOB_ON_TIME, JOB_LATE, JOB_WITHIN_AIM, REWORK …), and
`criterion` turns each of those rules into the frappe.qb criterion the queries count, while the case and breach
lists label their rows with the same rules in Python (`clocks.case_verdict`, `clocks.job_breach`).

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
from frappe.query_builder import Case, Criterion, CustomFunction, DocType, Interval, Order
from frappe.query_builder.functions import Coalesce, Count, DateFormat, Sum
from frappe.query_builder.terms import ParameterizedValueWrapper
from frappe.utils import add_months, flt, get_first_day, get_last_day, getdate, now_datetime
from pypika.terms import LiteralValue

from property_helpdesk.access import property_criterion, restrict
from property_helpdesk.constants import (
	ANSWER_TYPES,
	CANCELLED,
	CASE,
	CLASS_CHANGE_APPROVED,
	CLOSED_STATES,
	COMPLAINT,
	ESCALATION,
	JOB_CLASS_CHANGE,
	JOB_LOG,
	KPI_TYPES,
	LIAISON_SHEET,
	OPEN_STATES,
	PAID_SERVICE,
	PROPERTY,
	REPAIR,
	SETTINGS,
	UNIT,
	WORK_ORDER,
	WORK_ORDER_TYPES,
)
from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure.complaints import (
	EXCESSIVE,
	ROUTE_LEADERSHIP,
	ROUTE_OFFICE_HEAD,
	TO_ASSIST,
	VALID,
)
from property_helpdesk.procedure.stamps import TIME_AMENDMENT

# The teams a case answers to (computed: no DocType option holds them), and the levels a complaint is routed to.
MAINTENANCE_TEAM = "Maintenance Team"
CUSTOMER_SERVICE = "Customer Service Centre"
MANAGEMENT_OFFICE = "Management Office"
COMPANY_LEADERSHIP = ROUTE_LEADERSHIP
OFFICE_HEAD_LEVEL = ROUTE_OFFICE_HEAD  # Service Ticket.routed_to_level


def settings():
	return frappe.get_cached_doc(SETTINGS)


def rate(part, whole) -> float | None:
	"""A percentage with two decimals, None when there is nothing to divide."""
	return round(100.0 * flt(part) / flt(whole), 2) if whole else None


# -- the procedure's rules as frappe.qb criteria -----------------------------------------------------------


def _term(term, table, params: dict):
	if isinstance(term, K.Field):
		return table[term.name]
	if isinstance(term, K.Param):
		return ParameterizedValueWrapper(params[term.name])
	if isinstance(term, K.Earlier):
		return _term(term.term, table, params) - Interval(minutes=int(params[term.minutes.name]))
	return ParameterizedValueWrapper(term)  # a constant of the rule


def criterion(rule, table, params: dict | None = None) -> Criterion:
	"""The frappe.qb criterion of one of procedure/clocks' rules over `table` (with `params`: now, aim_gap):
	the database counts exactly the rows `clocks.holds` accepts."""
	params = params or {}
	if isinstance(rule, K.Cmp):
		return K.COMPARISONS[rule.op](_term(rule.left, table, params), _term(rule.right, table, params))
	if isinstance(rule, K.IsNull):
		return _term(rule.term, table, params).isnull()
	if isinstance(rule, K.Not):
		if isinstance(rule.rule, K.IsNull):
			return _term(rule.rule.term, table, params).isnotnull()
		return criterion(rule.rule, table, params).negate()
	parts = [criterion(r, table, params) for r in rule.rules]
	if isinstance(rule, K.AllOf):
		return Criterion.all(parts)
	if isinstance(rule, K.AnyOf):
		return Criterion.any(parts)
	raise TypeError(f"not a rule: {rule!r}")


def counted(rule, table, params: dict | None = None):
	"""SUM over a rule: how many rows of the group it holds for."""
	return Sum(criterion(rule, table, params))


def cases():
	return DocType(CASE).as_("t")


def jobs():
	return DocType(WORK_ORDER).as_("w")


def month(column):
	return DateFormat(column, "%Y-%m")


def team(t):
	"""The team that answers for a case: the maintenance team for repairs, the decision maker's level for routed
	complaints (R2), customer service otherwise."""
	return (
		Case()
		.when(t.ticket_type.isin(WORK_ORDER_TYPES), MAINTENANCE_TEAM)
		.when(t.routed_to_level == COMPANY_LEADERSHIP, COMPANY_LEADERSHIP)
		.when(t.routed_to_level == OFFICE_HEAD_LEVEL, MANAGEMENT_OFFICE)
		.else_(CUSTOMER_SERVICE)
	)


CASE_GROUPS = {
	"Property": lambda t: t.property,
	"Month": lambda t: month(t.call_started_at),
	"Case Type": lambda t: t.ticket_type,
	"Team": team,
	"Person": lambda t: t.follow_up_owner,
}
MEASURES = {
	"on_time": K.CASE_ON_TIME,
	"late": K.CASE_LATE,
	"pending": K.CASE_PENDING,
	"decided": K.Not(K.CASE_PENDING),
}


# -- filters ------------------------------------------------------------------------------------------------


def period(filters, default_months: int = 12) -> tuple[datetime, datetime]:
	"""[start, end) of the report's period: from the first day to the end of the last day."""
	to_date = getdate(filters.get("to_date") or getdate())
	from_date = getdate(filters.get("from_date") or get_first_day(add_months(to_date, 1 - default_months)))
	start = datetime.combine(from_date, datetime.min.time())
	end = datetime.combine(to_date, datetime.min.time()) + timedelta(days=1)
	return start, end


def case_filters(filters, t, types=KPI_TYPES, since=None) -> list[Criterion]:
	"""The criteria over the cases `t` shared by the case reports: received in the period (or `since`, a
	criterion that replaces the period's start), of `types`, and the report's other filters."""
	filters = frappe._dict(filters or {})
	start, end = period(filters)
	ticket_type = filters.get("ticket_type")
	if ticket_type:
		types = (ticket_type,) if ticket_type in types else ("",)
	out = [
		since if since is not None else t.call_started_at >= start,
		t.call_started_at < end,
		t.ticket_type.isin(tuple(types)),
	]
	if filters.get("property"):
		out.append(t.property == filters.property)
	if (mine := property_criterion(t.property, doctype=CASE)) is not None:
		out.append(mine)  # R4, R1: the user's properties only (qb skips Frappe's User Permissions)
	if filters.get("team"):
		out.append(team(t) == filters.team)
	if filters.get("person"):
		out.append(t.follow_up_owner == filters.person)
	for field in ("complaint_ground", "unit", "validity_class"):
		if filters.get(field):
			out.append(t[field] == filters[field])
	return out


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
	t = cases()
	key = CASE_GROUPS[grouping(group_by, CASE_GROUPS)](t).as_("group_key")
	now = {"now": now_datetime()}
	rows = (
		frappe.qb.from_(t)
		.select(
			key,
			Count("*").as_("received"),
			counted(K.CASE_ON_TIME, t, now).as_("on_time"),
			counted(K.CASE_PENDING, t, now).as_("pending"),
		)
		.where(Criterion.all(case_filters(filters, t)))
		.groupby(key)
		.orderby(key)
		.run(as_dict=True)
	)
	for row in rows:
		# every case is exactly one of on time, late or pending (CASE_LATE is the rest)
		row.on_time, row.pending = int(row.on_time or 0), int(row.pending or 0)
		row.late = int(row.received) - row.on_time - row.pending
		row.total = row.on_time + row.late
		row.rate = rate(row.on_time, row.total)
	return rows


def case_list(filters, measure: str | None = None, types=KPI_TYPES, limit: int = 5000) -> list[dict]:
	"""The cases behind a number of R29 or R32, with their verdict."""
	t = cases()
	now = now_datetime()
	conditions = case_filters(filters, t, types)
	if measure in MEASURES:
		conditions.append(criterion(MEASURES[measure], t, {"now": now}))
	rows = (
		frappe.qb.from_(t)
		.select(
			t.name.as_("service_ticket"),
			t.ticket_type,
			t.property,
			t.unit,
			t.subject,
			t.follow_up_owner,
			t.status,
			t.call_started_at,
			t.kpi_due_at,
			t.handled_at,
			t.reopen_count,
			t.complaint_ground,
			t.validity_class,
		)
		.where(Criterion.all(conditions))
		.orderby(t.call_started_at)
		.limit(int(limit))
		.run(as_dict=True)
	)
	for row in rows:
		row.verdict = K.case_verdict(row, now)
	return rows


# -- R30 零修急修及时率, 返修率 ----------------------------------------------------------------------------------

JOB_GROUPS = {
	"Property": lambda w: w.property,
	"Month": lambda w: month(w.completed_at),
	"Technician": lambda w: w.technician,
}
JOB_MEASURES = {"late": K.JOB_LATE, "rework": K.REWORK}


def job_filters(filters, w) -> list[Criterion] | None:
	"""The criteria over the work orders `w`: jobs completed in the period. None when the filters leave no job
	(a complaint's case type, a team other than maintenance)."""
	filters = frappe._dict(filters or {})
	start, end = period(filters)
	out = [w.completed_at >= start, w.completed_at < end, w.status != CANCELLED]
	if filters.get("property"):
		out.append(w.property == filters.property)
	if (mine := property_criterion(w.property, doctype=WORK_ORDER)) is not None:
		out.append(mine)  # R4, R1
	if filters.get("person"):
		out.append(w.technician == filters.person)
	if filters.get("ticket_type"):
		# A paid service's job is a paid job; complaints and requests have none.
		paid = {REPAIR: 0, PAID_SERVICE: 1}.get(filters.ticket_type)
		if paid is None:
			return None
		out.append(w.paid_service == paid)
	if filters.get("team") and filters.team != MAINTENANCE_TEAM:
		return None
	return out


def aim_gap() -> int:
	"""R21: the aim (2 h) ends as many minutes before the limit (24 h) as the two differ; kpi_due_at already
	carries the limit and any paused minutes."""
	s = settings()
	return round((flt(s.minor_repair_limit_hours) - flt(s.minor_repair_target_hours)) * 60)


def repair_kpi(filters, group_by: str = "Property") -> list[dict]:
	"""R30 per group, with the targets of the service commitment (R31)."""
	w = jobs()
	key = JOB_GROUPS[grouping(group_by, JOB_GROUPS)](w).as_("group_key")
	conditions = job_filters(filters, w)
	if conditions is None:
		return []
	s = settings()
	params = {"aim_gap": aim_gap()}
	rows = (
		frappe.qb.from_(w)
		.select(
			key,
			Count("*").as_("completed"),
			counted(K.MINOR_JOB, w).as_("minor"),
			counted(K.JOB_ON_TIME, w).as_("minor_on_time"),
			counted(K.JOB_WITHIN_AIM, w, params).as_("minor_within_aim"),
			counted(K.REWORK, w).as_("rework"),
		)
		.where(Criterion.all(conditions))
		.groupby(key)
		.orderby(key)
		.run(as_dict=True)
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
	w = jobs()
	conditions = job_filters(filters, w)
	if conditions is None:
		return []
	conditions.append(criterion(JOB_MEASURES.get(measure) or K.any_of(K.JOB_LATE, K.REWORK), w))
	rows = (
		frappe.qb.from_(w)
		.select(
			w.name.as_("work_order"),
			w.service_ticket,
			w.property,
			w.unit,
			w.subject,
			w.technician,
			w.dispatched_class,
			w.job_class,
			w.kpi_due_at,
			w.completed_at,
			w.rework_of,
		)
		.where(Criterion.all(conditions))
		.orderby(w.completed_at)
		.limit(int(limit))
		.run(as_dict=True)
	)
	for row in rows:
		row.minutes_late = K.minutes_late(row)
		row.breach = K.job_breach(row)
	return rows


# -- workspace number cards ---------------------------------------------------------------------------------


def this_month() -> dict:
	today = getdate()
	return {"from_date": str(get_first_day(today)), "to_date": str(today)}


def overall(rows: list[dict], part: str, whole: str) -> float | None:
	return rate(sum(r[part] for r in rows), sum(r[whole] for r in rows))


@frappe.whitelist()
def overdue_cases_card(filters=None) -> dict:
	"""Open cases past the deadline that decides their timeliness (R29)."""
	frappe.has_permission(CASE, "read", throw=True)
	t = cases()
	query = (
		frappe.qb.from_(t)
		.select(Count("*"))
		.where(t.status.isin(OPEN_STATES) & criterion(K.OVERDUE, t, {"now": now_datetime()}))
	)
	count = restrict(query, t.property, doctype=CASE).run()[0][0]  # R4, R1: the user's properties
	return {"value": count, "fieldtype": "Int", "route": ["query-report", "Case Timeliness"]}


@frappe.whitelist()
def timeliness_rate_card(filters=None) -> dict:
	"""This month's 处理及时率 (R29)."""
	frappe.has_permission(CASE, "read", throw=True)
	rows = case_timeliness(this_month())
	return {"value": overall(rows, "on_time", "total"), "fieldtype": "Percent"}


@frappe.whitelist()
def minor_timeliness_rate_card(filters=None) -> dict:
	"""This month's 零修急修及时率 (R30)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	rows = repair_kpi(this_month())
	return {"value": overall(rows, "minor_on_time", "minor"), "fieldtype": "Percent"}


@frappe.whitelist()
def rework_rate_card(filters=None) -> dict:
	"""This month's 返修率 (R30)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	rows = repair_kpi(this_month())
	return {"value": overall(rows, "rework", "completed"), "fieldtype": "Percent"}


def computed_labels() -> dict[str, str]:
	"""Values the queries compute (no DocType option holds them), translated."""
	return {
		K.ON_TIME: _("On Time"),
		K.LATE: _("Late"),
		K.PENDING: _("Pending"),
		K.REWORK_BREACH: _("Rework"),
		MAINTENANCE_TEAM: _("Maintenance Team"),
		CUSTOMER_SERVICE: _("Customer Service Centre"),
		MANAGEMENT_OFFICE: _("Management Office"),
		COMPANY_LEADERSHIP: _("Company Leadership"),
	}


def case_column(fieldname: str, **overrides) -> dict:
	"""A column of the case lists behind the reports' counts: defined once, the same in every report."""
	columns = {
		"service_ticket": {
			"label": _("Service Ticket"),
			"fieldtype": "Link",
			"options": CASE,
			"width": 150,
		},
		"property": {"label": _("Property"), "fieldtype": "Link", "options": PROPERTY},
		"unit": {"label": _("Housing Unit"), "fieldtype": "Link", "options": UNIT},
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


def open_item(t) -> Criterion:
	"""An open item: the job is not done, or the resident reopened the case and it is not resolved again."""
	return t.status.isin(OPEN_STATES) & criterion(K.UNFINISHED, t)


def summary_filters(filters, t, start) -> list[Criterion]:
	"""Repairs received in the period, and the ones received earlier that are still open (chased until done)."""
	conditions = case_filters(filters, t, WORK_ORDER_TYPES, since=(t.call_started_at >= start) | open_item(t))
	developer = frappe._dict(filters or {}).get("developer")
	if developer:
		p = DocType(PROPERTY)
		conditions.append(t.property.isin(frappe.qb.from_(p).select(p.name).where(p.developer == developer)))
	return conditions


def repair_summary(filters) -> list[dict]:
	"""R27 per property: received, completed and open in the period, open items carried from before, the
	overdue ones and the residents' reminders on open items."""
	t = cases()
	start = period(frappe._dict(filters or {}))[0]
	new, still_open = t.call_started_at >= start, open_item(t)
	rows = (
		frappe.qb.from_(t)
		.select(
			t.property.as_("property"),
			Sum(new).as_("received"),
			Sum(new & still_open.negate()).as_("completed"),
			Sum(new & still_open).as_("still_open"),
			Sum(t.call_started_at < start).as_("carried"),
			Sum(still_open & criterion(K.PAST_DUE, t, {"now": now_datetime()})).as_("overdue"),
			Sum(Case().when(still_open, t.reminder_count).else_(0)).as_("reminders"),
		)
		.where(Criterion.all(summary_filters(filters, t, start)))
		.groupby(t.property)
		.orderby(t.property)
		.run(as_dict=True)
	)
	developers = dict(
		frappe.get_all(
			PROPERTY,
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
	t, p = cases(), DocType(PROPERTY).as_("p")
	e, last = DocType(ESCALATION).as_("e"), DocType(ESCALATION).as_("le")
	chase, sheet_case = DocType("Liaison Chase").as_("c"), DocType("Liaison Sheet Case").as_("lc")
	start = period(frappe._dict(filters or {}))[0]
	now = now_datetime()
	rows = (
		frappe.qb.from_(t)
		.left_join(p)
		.on(p.name == t.property)
		.select(
			t.name.as_("service_ticket"),
			t.property,
			p.developer,
			t.unit,
			t.subject,
			t.status,
			t.call_started_at,
			t.kpi_due_at,
			t.follow_up_owner,
			t.reminder_count,
			frappe.qb.from_(e).select(Count("*")).where(e.service_ticket == t.name).as_("escalations"),
			frappe.qb.from_(last)
			.select(last.level)
			.where(last.service_ticket == t.name)
			.orderby(last.escalated_at, order=Order.desc)
			.limit(1)
			.as_("last_escalation"),
			frappe.qb.from_(chase)
			.join(sheet_case)
			.on((sheet_case.parent == chase.parent) & (sheet_case.parenttype == LIAISON_SHEET))
			.select(Count("*"))
			.where(sheet_case.service_ticket == t.name)
			.as_("liaison_chases"),
		)
		.where(Criterion.all([*summary_filters(filters, t, start), open_item(t)]))
		.orderby(t.call_started_at)
		.limit(int(limit))
		.run(as_dict=True)
	)
	for row in rows:
		overdue = K.truth(K.PAST_DUE, row, {"now": now})
		row.overdue = None if overdue is None else int(overdue)
	return rows


# -- R26 登记日志核对 -----------------------------------------------------------------------------------------


def job_logs(filters, limit: int = 5000) -> list[dict]:
	"""R26: each daily job log with its jobs, open items and reconciliation state."""
	filters = frappe._dict(filters or {})
	start, end = period(filters, default_months=1)
	log, entry = DocType(JOB_LOG).as_("l"), DocType("Job Log Entry").as_("j")
	conditions = [log.log_date >= start.date(), log.log_date < end.date()]
	if filters.get("property"):
		conditions.append(log.property == filters.property)
	if (mine := property_criterion(log.property, doctype=JOB_LOG)) is not None:
		conditions.append(mine)  # R4, R1
	if filters.get("person"):
		conditions.append(log.kept_by == filters.person)
	if filters.get("unreconciled_only"):
		conditions.append(log.reconciled == 0)
	if filters.get("team") and filters.team != MAINTENANCE_TEAM:
		return []  # the log is the maintenance team's
	reconcile_by = log.log_date + Interval(days=int(settings().reconciliation_days or 2))
	query = (
		frappe.qb.from_(log).left_join(entry).on((entry.parent == log.name) & (entry.parenttype == JOB_LOG))
	)
	counted_jobs = Count(entry.name)
	if filters.get("ticket_type"):
		# only the jobs of that case type count, and logs without any are left out
		paid = {REPAIR: 0, PAID_SERVICE: 1}.get(filters.ticket_type)
		if paid is None:
			return []
		w = jobs()
		query = query.left_join(w).on((w.name == entry.work_order) & (w.paid_service == paid))
		counted_jobs = Count(w.name)
		query = query.having(counted_jobs > 0)
	return (
		query.select(
			log.name.as_("job_log"),
			log.property,
			log.log_date,
			log.kept_by,
			counted_jobs.as_("jobs"),
			log.open_items,
			log.reconciled,
			log.reconciled_by,
			log.reconciled_at,
			reconcile_by.as_("reconcile_by"),
			Case().when((log.reconciled == 0) & (reconcile_by < getdate()), 1).else_(0).as_("overdue"),
		)
		.where(Criterion.all(conditions))
		.groupby(log.name)
		.orderby(log.log_date, order=Order.desc)
		.orderby(log.property)
		.limit(int(limit))
		.run(as_dict=True)
	)


# -- R32 投诉统计分析 -----------------------------------------------------------------------------------------

COMPLAINT_GROUPS = {
	"Ground": lambda t: t.complaint_ground,
	"Property": lambda t: t.property,
	"Team": team,
	"Unit": lambda t: t.unit,
	"Validity Class": lambda t: t.validity_class,
	"Month": lambda t: month(t.call_started_at),
}


def half_year(day: date | None = None) -> tuple[date, date]:
	"""The half-year before the one `day` falls in (the analysis of 1 July covers January to June)."""
	day = day or getdate()
	if day.month <= 6:
		return date(day.year - 1, 7, 1), date(day.year - 1, 12, 31)
	return date(day.year, 1, 1), date(day.year, 6, 30)


def complaint_filters(filters) -> frappe._dict:
	"""R32 analyses complaints unless the report asks for service requests."""
	filters = frappe._dict(filters or {})
	if not filters.get("ticket_type"):
		filters.ticket_type = COMPLAINT
	return filters


def complaint_analysis(filters, group_by: str = "Ground") -> list[dict]:
	"""R32 per ground, property, team, unit (recurring ones only if asked), validity class or month."""
	filters = complaint_filters(filters)
	t = cases()
	key = COMPLAINT_GROUPS[grouping(group_by, COMPLAINT_GROUPS)](t).as_("group_key")
	conditions = Criterion.all(case_filters(filters, t, ANSWER_TYPES))
	now = {"now": now_datetime()}
	total = Count("*").as_("total")
	query = (
		frappe.qb.from_(t)
		.select(
			key,
			total,
			Sum(t.validity_class == VALID).as_("valid"),
			Sum(t.validity_class == TO_ASSIST).as_("to_assist"),
			Sum(t.validity_class == EXCESSIVE).as_("excessive"),
			Sum(t.status.isin(CLOSED_STATES)).as_("resolved"),
			counted(K.CASE_ON_TIME, t, now).as_("on_time"),
			counted(K.CASE_PENDING, t, now).as_("pending"),
		)
		.where(conditions)
		.groupby(key)
		.orderby(total, order=Order.desc)
		.orderby(key)
	)
	recurring = group_by == "Unit" and filters.get("recurring_only")
	if recurring:
		query = query.having(Count("*") >= int(settings().recurrence_min_complaints or 2))
	rows = query.run(as_dict=True)
	grand = sum(r.total for r in rows)
	if recurring:  # a share of all the period's complaints, not only of the recurring units' ones
		grand = frappe.qb.from_(t).select(Count("*")).where(conditions).run()[0][0]
	for row in rows:
		for field in ("valid", "to_assist", "excessive", "resolved", "on_time", "pending"):
			row[field] = int(row[field] or 0)
		row.unclassified = row.total - row.valid - row.to_assist - row.excessive
		row.late = row.total - row.on_time - row.pending
		row.share = rate(row.total, grand)
		row.rate = rate(row.on_time, row.on_time + row.late)
	return rows


# -- R37: every pause in the reports, with its minutes ------------------------------------------------------

PAUSE = "Clock Pause"


def pause_minutes(p, now):
	"""The minutes one pause row held the clocks: to its resumption, or (under way) to now or its planned end,
	whichever comes first (a pause ends by itself there)."""
	timestampdiff = CustomFunction("TIMESTAMPDIFF", ["unit", "start", "end"])
	least = CustomFunction("LEAST", ["a", "b"])
	end = Coalesce(p.resumed_at, least(now, Coalesce(p.ends_at, now)))
	return timestampdiff(LiteralValue("SECOND"), p.paused_at, end) / 60


def case_pauses(filters, group_by: str = "Property") -> dict:
	"""R29, R37 per group of the case report: {group key: (cases paused, pauses, paused minutes)} over the same
	cases as `case_timeliness`."""
	t, p = cases(), DocType(PAUSE).as_("p")
	key = CASE_GROUPS[grouping(group_by, CASE_GROUPS)](t).as_("group_key")
	rows = (
		frappe.qb.from_(p)
		.join(t)
		.on((p.parent == t.name) & (p.parenttype == CASE) & (p.parentfield == "pauses"))
		.select(
			key,
			Count(t.name).distinct().as_("paused_cases"),
			Count("*").as_("pauses"),
			Sum(pause_minutes(p, now_datetime())).as_("paused_minutes"),
		)
		.where(Criterion.all(case_filters(filters, t)))
		.groupby(key)
		.run(as_dict=True)
	)
	return {
		row.group_key: (int(row.paused_cases), int(row.pauses), flt(row.paused_minutes, 1)) for row in rows
	}


def job_pauses(filters, group_by: str = "Property") -> dict:
	"""R30, R37 per group of the repair report: {group key: (jobs paused, pauses, paused minutes)}: the pauses of
	each completed job's case (a pause holds the case's completion clock, which decides the job's)."""
	w, p = jobs(), DocType(PAUSE).as_("p")
	key = JOB_GROUPS[grouping(group_by, JOB_GROUPS)](w).as_("group_key")
	conditions = job_filters(filters, w)
	if conditions is None:
		return {}
	rows = (
		frappe.qb.from_(p)
		.join(w)
		.on((p.parent == w.service_ticket) & (p.parenttype == CASE) & (p.parentfield == "pauses"))
		.select(
			key,
			Count(w.name).distinct().as_("paused_jobs"),
			Count("*").as_("pauses"),
			Sum(pause_minutes(p, now_datetime())).as_("paused_minutes"),
		)
		.where(Criterion.all(conditions))
		.groupby(key)
		.run(as_dict=True)
	)
	return {
		row.group_key: (int(row.paused_jobs), int(row.pauses), flt(row.paused_minutes, 1)) for row in rows
	}


def add_pauses(rows: list[dict], pauses: dict, count_field: str) -> list[dict]:
	"""Put each group's pauses on its report row (blank where it has none)."""
	for row in rows:
		paused, count, minutes = pauses.get(row.group_key, (None, None, None))
		row[count_field], row.pauses, row.paused_minutes = paused, count, minutes
	return rows


def add_row_pauses(rows: list[dict], case_field: str) -> list[dict]:
	"""Each listed case's (or job's case's) pauses and paused minutes, from its pause rows (one query)."""
	names = list({row[case_field] for row in rows if row.get(case_field)})
	totals = {}
	if names:
		p = DocType(PAUSE).as_("p")
		totals = {
			r.parent: (int(r.pauses), flt(r.paused_minutes, 1))
			for r in frappe.qb.from_(p)
			.select(
				p.parent,
				Count("*").as_("pauses"),
				Sum(pause_minutes(p, now_datetime())).as_("paused_minutes"),
			)
			.where((p.parenttype == CASE) & (p.parentfield == "pauses") & p.parent.isin(names))
			.groupby(p.parent)
			.run(as_dict=True)
		}
	for row in rows:
		row.pauses, row.paused_minutes = totals.get(row.get(case_field), (None, None))
	return rows


def pause_columns(count_field: str, count_label: str) -> list[dict]:
	return [
		{"fieldname": count_field, "label": count_label, "fieldtype": "Int", "width": 110},
		{"fieldname": "pauses", "label": _("Pauses"), "fieldtype": "Int", "width": 80},
		{"fieldname": "paused_minutes", "label": _("Paused Minutes"), "fieldtype": "Float", "width": 120},
	]


def row_pause_columns() -> list[dict]:
	return [
		{"fieldname": "pauses", "label": _("Pauses"), "fieldtype": "Int", "width": 80},
		{"fieldname": "paused_minutes", "label": _("Paused Minutes"), "fieldtype": "Float", "width": 120},
	]


# -- R15: dispatch on time, measured from the call to the team being told ------------------------------------


def job_dispatch(filters, group_by: str = "Property") -> dict:
	"""R15, R30 per group of the repair report: {group key: jobs whose team was told late}: the first job of
	each completed case whose team was told (`team_told_at`, stamped by the worker that delivered the assignment)
	more than the dispatch limit after the call began, or never; an emergency by its true dispatch time
	(R15e). A rework job is dispatched from the earlier job, not from a call, and is not counted."""
	w, t = jobs(), cases()
	key = JOB_GROUPS[grouping(group_by, JOB_GROUPS)](w).as_("group_key")
	conditions = job_filters(filters, w)
	if conditions is None:
		return {}
	limit = flt(settings().dispatch_notify_minutes) * 60
	told = Case().when(w.is_emergency == 1, w.dispatched_at).else_(w.team_told_at)
	timestampdiff = CustomFunction("TIMESTAMPDIFF", ["unit", "start", "end"])
	late = timestampdiff(LiteralValue("SECOND"), t.call_started_at, Coalesce(told, now_datetime())) > limit
	rows = (
		frappe.qb.from_(w)
		.join(t)
		.on(w.service_ticket == t.name)
		.select(key, Sum(Case().when(late, 1).else_(0)).as_("dispatched_late"))
		.where(Criterion.all([*conditions, Coalesce(w.rework_of, "") == ""]))
		.groupby(key)
		.run(as_dict=True)
	)
	return {row.group_key: int(row.dispatched_late or 0) for row in rows}


def add_dispatch(rows: list[dict], late: dict) -> list[dict]:
	for row in rows:
		row.dispatched_late = late.get(row.group_key, 0)
	return rows


def dispatch_columns() -> list[dict]:
	return [{"fieldname": "dispatched_late", "label": _("Team Told Late"), "fieldtype": "Int", "width": 110}]


# -- amended times and class changes (issue 12): every KPI report marks and counts the times corrected by an
# amendment and the jobs whose class an approved change moved since dispatch (R20–R22: the reports judge a job by
# its dispatched class, and show the changes beside it) ---------------------------------------------------------


def time_amendments():
	return DocType(TIME_AMENDMENT).as_("a")


def class_changes():
	return DocType(JOB_CLASS_CHANGE).as_("c")


def approved(c) -> Criterion:
	"""A class change that changed the class: approved through its workflow."""
	return (c.docstatus == 1) & (c.workflow_state == CLASS_CHANGE_APPROVED)


def count_by_group(source, table, on, key, conditions: list[Criterion]) -> dict:
	"""How many rows of `source` (amendments, class changes) belong to the rows of `table` the report counts
	(`conditions`), per group `key`."""
	rows = (
		frappe.qb.from_(source)
		.join(table)
		.on(on)
		.select(key, Count("*").as_("n"))
		.where(Criterion.all(conditions))
		.groupby(key)
		.run(as_dict=True)
	)
	return {r.group_key: int(r.n) for r in rows}


def case_amendments(filters, group_by: str = "Property") -> dict:
	"""R29: the amendments of the cases a group counts (of the case's own times and its jobs'), per group."""
	t, a = cases(), time_amendments()
	key = CASE_GROUPS[grouping(group_by, CASE_GROUPS)](t).as_("group_key")
	return count_by_group(a, t, a.service_ticket == t.name, key, case_filters(filters, t))


def job_amendments(filters, group_by: str = "Property") -> dict:
	"""R30: the amendments of the jobs a group counts, per group."""
	w, a = jobs(), time_amendments()
	key = JOB_GROUPS[grouping(group_by, JOB_GROUPS)](w).as_("group_key")
	conditions = job_filters(filters, w)
	if conditions is None:
		return {}
	on = (a.reference_doctype == WORK_ORDER) & (a.reference_name == w.name)
	return count_by_group(a, w, on, key, conditions)


def case_class_changes(filters, group_by: str = "Property") -> dict:
	"""R29: the approved class changes of the cases' jobs a group counts, per group."""
	t, c = cases(), class_changes()
	key = CASE_GROUPS[grouping(group_by, CASE_GROUPS)](t).as_("group_key")
	return count_by_group(c, t, c.service_ticket == t.name, key, [*case_filters(filters, t), approved(c)])


def job_class_changes(filters, group_by: str = "Property") -> dict:
	"""R30: the approved class changes of the jobs a group counts, per group."""
	w, c = jobs(), class_changes()
	key = JOB_GROUPS[grouping(group_by, JOB_GROUPS)](w).as_("group_key")
	conditions = job_filters(filters, w)
	if conditions is None:
		return {}
	return count_by_group(c, w, c.work_order == w.name, key, [*conditions, approved(c)])


def summary_amendments(filters) -> dict:
	"""R27: the amendments of the repair items each property's summary counts."""
	t, a = cases(), time_amendments()
	start = period(frappe._dict(filters or {}))[0]
	key = t.property.as_("group_key")
	return count_by_group(a, t, a.service_ticket == t.name, key, summary_filters(filters, t, start))


def summary_class_changes(filters) -> dict:
	"""R27: the approved class changes of the repair items each property's summary counts."""
	t, c = cases(), class_changes()
	start = period(frappe._dict(filters or {}))[0]
	key = t.property.as_("group_key")
	conditions = [*summary_filters(filters, t, start), approved(c)]
	return count_by_group(c, t, c.service_ticket == t.name, key, conditions)


def complaint_amendments(filters, group_by: str = "Ground") -> dict:
	"""R32: the amendments of the complaints (or service requests) a group counts (their answer times)."""
	filters = complaint_filters(filters)
	t, a = cases(), time_amendments()
	key = COMPLAINT_GROUPS[grouping(group_by, COMPLAINT_GROUPS)](t).as_("group_key")
	return count_by_group(a, t, a.service_ticket == t.name, key, case_filters(filters, t, ANSWER_TYPES))


def count_amendments(rows: list[dict], counts: dict, field: str = "amendments") -> list[dict]:
	"""Each group row gets its number of amendments (or, with `field`, of class changes; 0 where none)."""
	for row in rows:
		row[field] = counts.get(row.get("group_key", row.get("property")), 0)
	return rows


def mark_amended(rows: list[dict], by: str, row_field: str) -> list[dict]:
	"""Each listed case or job is marked with how many of its times were amended: `by` is the amendment's
	field (service_ticket for a case, reference_name for a job) matched to the row's `row_field`."""
	filters = {"reference_doctype": WORK_ORDER} if by == "reference_name" else {}
	return mark(rows, TIME_AMENDMENT, by, row_field, filters, "amended")


def mark_class_changed(rows: list[dict], by: str, row_field: str) -> list[dict]:
	"""Each listed case or job is marked with how many approved changes moved its class since dispatch: `by` is
	the change's field (service_ticket for a case, work_order for a job) matched to the row's `row_field`."""
	filters = {"docstatus": 1, "workflow_state": CLASS_CHANGE_APPROVED}
	return mark(rows, JOB_CLASS_CHANGE, by, row_field, filters, "class_changed")


def mark(rows: list[dict], doctype: str, by: str, row_field: str, filters: dict, field: str) -> list[dict]:
	names = [r[row_field] for r in rows if r.get(row_field)]
	counts = {}
	if names:
		counts = {
			r[by]: int(r.n)
			for r in frappe.get_all(
				doctype, filters={**filters, by: ("in", names)}, fields=[by, "count(name) as n"], group_by=by
			)
		}
	for row in rows:
		row[field] = counts.get(row.get(row_field), 0)
	return rows


def amendment_column(group: bool) -> dict:
	if group:
		return {"fieldname": "amendments", "label": _("Amendments"), "fieldtype": "Int", "width": 110}
	return {"fieldname": "amended", "label": _("Times Amended"), "fieldtype": "Int", "width": 110}


def class_change_column(group: bool) -> dict:
	if group:
		return {"fieldname": "class_changes", "label": _("Class Changes"), "fieldtype": "Int", "width": 110}
	return {"fieldname": "class_changed", "label": _("Class Changed"), "fieldtype": "Int", "width": 110}

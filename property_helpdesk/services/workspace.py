"""The workspace's number cards and charts (R27, R29, R30, R32): how the day and the month are going, for the
properties the user works for.

Document Type cards and charts (open cases, cases received today, cases by month) are Frappe's own and follow the
user's User Permissions by themselves. The cards and charts here are custom methods: each figure is the one
services/kpi computes (the same functions the reports call, never counted twice), kept to the user's properties
(`access.allowed_properties`). The chart source deliberately skips Frappe's `cache_source`: that cache is one per
chart for every user, and a director must not be shown the figures cached for the CS manager.

Landing (R4): every staff user's desk opens on the app's workspace (Frappe v15 honours User.default_workspace on
/app and after login; Role.home_page is only for website users).
"""

from datetime import timedelta

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.query_builder.functions import Coalesce, Count
from frappe.utils import add_months, get_first_day, getdate, now_datetime

from property_helpdesk.access import allowed_properties
from property_helpdesk.constants import CASE, OPEN_STATES, SETTINGS, WORK_ORDER
from property_helpdesk.procedure import clocks as K
from property_helpdesk.roles import STAFF_ROLES
from property_helpdesk.services import kpi

WORKSPACE = "Property Helpdesk"
# A case is due soon when R29's deadline (Handle By) falls within this many hours (the case list shows the same
# window for its next deadline: doctype/service_ticket/service_ticket_list.js DUE_SOON_HOURS).
DUE_SOON_HOURS = 2
SOON = K.Param("soon")
DUE_SOON = K.all_of(K.IsNull(K.HANDLED), K.Cmp(">=", K.DUE, K.NOW), K.Cmp("<", K.DUE, SOON))
# Rates show with one decimal at most (Frappe's Percent otherwise takes the site's float precision: 100.000%)
RATE_PRECISION = 1
CHART_MONTHS = 12


# -- the user's properties -----------------------------------------------------------------------------------


def mine(rows: list[dict], key: str = "group_key") -> list[dict]:
	"""The rows (grouped by property) of the properties the session user works for."""
	allowed = allowed_properties()
	if allowed is None:
		return rows
	allowed = set(allowed)
	return [row for row in rows if row.get(key) in allowed]


def per_property(fetch, filters: dict, group_by: str) -> list[dict]:
	"""kpi's rows grouped by `group_by` for the user's properties: one call when the user sees every property,
	else one per property (a staff user works for one or a few), rows of the same group added up by the caller."""
	allowed = allowed_properties()
	if allowed is None:
		return fetch(filters, group_by)
	return [row for prop in allowed for row in fetch({**filters, "property": prop}, group_by)]


def in_my_properties(t) -> list[Criterion]:
	allowed = allowed_properties()
	return [] if allowed is None else [t.property.isin(allowed or [""])]


# -- number cards ---------------------------------------------------------------------------------------------


def count_card(value: int, route_options: dict) -> dict:
	"""A count whose click opens the case list on the cases it counts."""
	return {
		"value": int(value or 0),
		"fieldtype": "Int",
		"route": ["List", CASE, "List"],
		"route_options": {
			"status": ["in", list(OPEN_STATES)],
			"handled_at": ["is", "not set"],
			**route_options,
		},
	}


def rate_card(value: float | None, report: str) -> dict:
	"""A rate as a Percent with one decimal; None when there is nothing to divide yet (no case decided, no job
	completed this month)."""
	return {
		"value": value,
		"fieldtype": "Percent",
		"precision": RATE_PRECISION,
		"route": ["query-report", report],
		"route_options": kpi.this_month(),
	}


def open_cases_where(criteria: K.AllOf, params: dict) -> int:
	t = kpi.cases()
	conditions = [t.status.isin(OPEN_STATES), kpi.criterion(criteria, t, params), *in_my_properties(t)]
	return frappe.qb.from_(t).select(Count("*")).where(Criterion.all(conditions)).run()[0][0]


@frappe.whitelist()
def overdue_cases(filters: str | dict | None = None) -> dict:
	"""Open cases of the user's properties past R29's deadline (Handle By) and not handled."""
	frappe.has_permission(CASE, "read", throw=True)
	now = now_datetime()
	return count_card(open_cases_where(K.OVERDUE, {"now": now}), {"kpi_due_at": ["<", str(now)]})


@frappe.whitelist()
def due_soon_cases(filters: str | dict | None = None) -> dict:
	"""Open cases of the user's properties whose R29 deadline falls within the next DUE_SOON_HOURS."""
	frappe.has_permission(CASE, "read", throw=True)
	now = now_datetime()
	params = {"now": now, "soon": now + timedelta(hours=DUE_SOON_HOURS)}
	window = {"kpi_due_at": ["between", [str(now), str(params["soon"])]]}
	return count_card(open_cases_where(DUE_SOON, params), window)


def timeliness_rate() -> float | None:
	rows = mine(kpi.case_timeliness(kpi.this_month(), "Property"))
	return kpi.overall(rows, "on_time", "total")


def repair_rates() -> tuple[float | None, float | None]:
	rows = mine(kpi.repair_kpi(kpi.this_month(), "Property"))
	return kpi.overall(rows, "minor_on_time", "minor"), kpi.overall(rows, "rework", "completed")


@frappe.whitelist()
def timeliness_rate_card(filters: str | dict | None = None) -> dict:
	"""This month's 处理及时率 of the user's properties (R29)."""
	frappe.has_permission(CASE, "read", throw=True)
	return rate_card(timeliness_rate(), "Case Timeliness")


@frappe.whitelist()
def minor_timeliness_rate_card(filters: str | dict | None = None) -> dict:
	"""This month's 零修急修及时率 of the user's properties (R30)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	return rate_card(repair_rates()[0], "Repair KPI")


@frappe.whitelist()
def rework_rate_card(filters: str | dict | None = None) -> dict:
	"""This month's 返修率 of the user's properties (R30)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	return rate_card(repair_rates()[1], "Repair KPI")


def targets() -> dict:
	"""R30, R31: the targets of the service commitment (Settings)."""
	s = frappe.get_cached_doc(SETTINGS)
	return {
		"minor_timeliness": float(s.minor_repair_timeliness_target or 0),
		"rework": float(s.rework_rate_ceiling or 0),
	}


@frappe.whitelist()
def minor_timeliness_target_card(filters: str | dict | None = None) -> dict:
	"""R30's target for 零修急修及时率 (≥, Settings)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	return {"value": targets()["minor_timeliness"], "fieldtype": "Percent", "precision": RATE_PRECISION}


@frappe.whitelist()
def rework_ceiling_card(filters: str | dict | None = None) -> dict:
	"""R30's ceiling for 返修率 (≤, Settings)."""
	frappe.has_permission(WORK_ORDER, "read", throw=True)
	return {"value": targets()["rework"], "fieldtype": "Percent", "precision": RATE_PRECISION}


# -- charts (Dashboard Chart Source "Property Helpdesk KPI") --------------------------------------------------


def chart_period() -> dict:
	"""The charts' months: the last CHART_MONTHS, this one included."""
	today = getdate()
	return {"from_date": str(get_first_day(add_months(today, 1 - CHART_MONTHS))), "to_date": str(today)}


def add_up(rows: list[dict], fields: tuple[str, ...]) -> dict:
	"""The rows of the same group added up (a user's properties fetched one by one), in the groups' order."""
	out: dict = {}
	for row in rows:
		total = out.setdefault(row.group_key, dict.fromkeys(fields, 0))
		for field in fields:
			total[field] += row[field] or 0
	return dict(sorted(out.items(), key=lambda item: (item[0] is None, item[0] or "")))


def rates(totals: dict, part: str, whole: str) -> tuple[list[str], list[float]]:
	"""Labels and rates of the groups that have something to divide (a month with no decided case has no rate,
	not 0%)."""
	labels, values = [], []
	for key, total in totals.items():
		value = kpi.rate(total[part], total[whole])
		if value is not None:
			labels.append(kpi.group_label("Property", key))
			values.append(round(value, RATE_PRECISION))
	return labels, values


def timeliness_chart(by: str) -> dict:
	"""R29 处理及时率 per month or per property, in percent (a rate per group, never a sum)."""
	fields = ("on_time", "total")
	if by == "Property":
		totals = add_up(mine(kpi.case_timeliness(chart_period(), "Property")), fields)
	else:
		totals = add_up(per_property(kpi.case_timeliness, chart_period(), "Month"), fields)
	labels, values = rates(totals, "on_time", "total")
	return {"labels": labels, "datasets": [{"name": _("Timeliness Rate"), "values": values}]}


def repair_chart(by: str, measure: str) -> dict:
	"""R30 零修急修及时率 or 返修率 per month or per property, in percent, with its target as a line."""
	fields = ("minor_on_time", "minor", "rework", "completed")
	if by == "Property":
		totals = add_up(mine(kpi.repair_kpi(chart_period(), "Property")), fields)
	else:
		totals = add_up(per_property(kpi.repair_kpi, chart_period(), "Month"), fields)
	if measure == "rework":
		labels, values = rates(totals, "rework", "completed")
		name, target, target_label = _("Rework Rate"), targets()["rework"], _("Ceiling")
	else:
		labels, values = rates(totals, "minor_on_time", "minor")
		name, target = _("Minor/Urgent Repair Timeliness"), targets()["minor_timeliness"]
		target_label = _("Target")
	return {
		"labels": labels,
		"datasets": [{"name": name, "values": values}],
		"yMarkers": [{"label": f"{target_label} {target:g}%", "value": target}],
	}


def complaints_chart() -> dict:
	"""R32: the complaints received in the charts' months by ground (the analysis' own grouping), the most
	frequent first."""
	fields = ("total",)
	totals = add_up(per_property(kpi.complaint_analysis, chart_period(), "Ground"), fields)
	ordered = sorted(totals.items(), key=lambda item: -item[1]["total"])[:15]
	names = [key for key, _total in ordered if key]
	grounds = dict(
		frappe.get_all(
			"Complaint Ground", filters={"name": ("in", names)}, fields=["name", "ground"], as_list=1
		)
	)
	labels = [(grounds.get(key) or kpi.group_label("Ground", key))[:30] for key, _total in ordered]
	return {
		"labels": labels,
		"datasets": [{"name": _("Complaints"), "values": [total["total"] for _key, total in ordered]}],
	}


CHARTS = {
	"timeliness": lambda by: timeliness_chart(by),
	"minor_timeliness": lambda by: repair_chart(by, "minor_timeliness"),
	"rework": lambda by: repair_chart(by, "rework"),
	"complaints": lambda by: complaints_chart(),
}


@frappe.whitelist()
def chart_data(
	chart_name: str | None = None,
	chart: str | dict | None = None,
	no_cache: int | None = None,
	filters: str | dict | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	timespan: str | None = None,
	time_interval: str | None = None,
	heatmap_year: str | None = None,
	refresh: int | None = None,
) -> dict:
	"""The data of a chart of the source "Property Helpdesk KPI": its filters say which figure (`measure`) and
	`by` Month or Property; the months are the last twelve."""
	filters = frappe._dict(frappe.parse_json(filters) or {})
	if not filters and chart_name:
		filters = frappe._dict(
			frappe.parse_json(frappe.db.get_value("Dashboard Chart", chart_name, "filters_json")) or {}
		)
	measure = filters.get("measure") or "timeliness"
	by = filters.get("by") or "Month"
	if measure not in CHARTS or by not in ("Month", "Property"):
		frappe.throw(_("Unknown chart: {0} by {1}").format(measure, by), title=_("Invalid Input"))
	frappe.has_permission(
		WORK_ORDER if measure in ("minor_timeliness", "rework") else CASE, "read", throw=True
	)
	return CHARTS[measure](by)


# -- landing (R4) -----------------------------------------------------------------------------------------------


def is_staff(roles) -> bool:
	return bool(set(roles) & set(STAFF_ROLES))


def land_staff_on_workspace(doc, method=None) -> None:
	"""User `validate` (hooks): a staff user without a default workspace of their own gets the app's, so the
	desk opens on it rather than on Frappe's home. A user's own choice is never overwritten."""
	if doc.user_type == "System User" and not doc.default_workspace and is_staff(r.role for r in doc.roles):
		if frappe.db.exists("Workspace", WORKSPACE):
			doc.default_workspace = WORKSPACE


def land_existing_staff() -> int:
	"""Install and migrate: every staff user without a default workspace gets the app's. Returns how many."""
	if not frappe.db.exists("Workspace", WORKSPACE):
		return 0
	has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
	names = (
		frappe.qb.from_(user)
		.join(has_role)
		.on((has_role.parent == user.name) & (has_role.parenttype == "User"))
		.select(user.name)
		.distinct()
		.where(
			has_role.role.isin(STAFF_ROLES)
			& (user.user_type == "System User")
			& (Coalesce(user.default_workspace, "") == "")
		)
	).run(pluck=True)
	if names:
		frappe.db.set_value(
			"User", {"name": ("in", names)}, "default_workspace", WORKSPACE, update_modified=False
		)
		for name in names:
			frappe.clear_cache(user=name)
	return len(names)


def unland_staff() -> None:
	"""Uninstall: users opening the desk on the app's workspace go back to Frappe's default."""
	frappe.db.set_value(
		"User", {"default_workspace": WORKSPACE}, "default_workspace", None, update_modified=False
	)


# -- the case list ----------------------------------------------------------------------------------------------

# The case list's columns after the subject: the late/due-soon indicator, the unit, the follow-up owner, the next
# deadline, the case type (Frappe shows only the first four to six in_list_view fields by field order otherwise)
CASE_LIST_COLUMNS = (
	("status_field", "Status"),
	("unit", "Housing Unit"),
	("follow_up_owner_name", "Follow-up Owner Name"),
	("next_deadline", "Next Deadline"),
	("ticket_type", "Case Type"),
)


def ensure_case_list_settings() -> None:
	"""Frappe's List View Settings of the case list, seeded once: a site's own choice is left alone."""
	if frappe.db.exists("List View Settings", CASE):
		return
	fields = [{"fieldname": fieldname, "label": label} for fieldname, label in CASE_LIST_COLUMNS]
	frappe.get_doc(
		{
			"doctype": "List View Settings",
			"total_fields": str(2 + len(fields)),  # the subject and the tags come first
			"fields": frappe.as_json(fields),
		}
	).insert(ignore_permissions=True, set_name=CASE)

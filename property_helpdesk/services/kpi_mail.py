"""The monthly report (R27, R29, R30) and the half-yearly complaint analysis (R32) go out by themselves.

Scheduled on the 1st of each month and on 1 January and 1 July (hooks.py: `send_monthly_report` and
`send_half_yearly_report` themselves, committed by Frappe's scheduler). Each renders the report's sections
into one Jinja page, prints it to PDF and queues one email with the PDF to the recipients named in Settings;
without recipients nothing is sent. The monthly run first raises the corrective actions of the month's KPI swings.
"""

import re

import frappe
from frappe import _
from frappe.utils import (
	add_months,
	format_datetime,
	get_first_day,
	get_last_day,
	getdate,
	now_datetime,
	today,
)
from frappe.utils.pdf import get_pdf

from property_helpdesk.property_helpdesk.report.case_timeliness import case_timeliness
from property_helpdesk.property_helpdesk.report.complaint_analysis import complaint_analysis
from property_helpdesk.property_helpdesk.report.monthly_repair_summary import monthly_repair_summary
from property_helpdesk.property_helpdesk.report.repair_kpi import repair_kpi
from property_helpdesk.services import corrective, kpi, notify

TEMPLATE = "property_helpdesk/templates/kpi/report.html"
MAX_ROWS = 300  # a longer list is for the desk, not for paper


def recipients(fieldname: str) -> list[str]:
	value = kpi.settings().get(fieldname) or ""
	return [e for e in (p.strip() for p in re.split(r"[\s,;]+", value)) if e]


def section(title: str, columns: list[dict], rows: list[dict]) -> dict:
	columns = [c for c in columns if c["fieldname"] != "drill"]
	return {"title": title, "columns": columns, "rows": rows[:MAX_ROWS], "more": max(len(rows) - MAX_ROWS, 0)}


def corrective_section(from_date, to_date) -> dict:
	"""The actions raised in the period and since: the month's KPI actions are raised on the 1st that follows."""
	rows = frappe.get_all(
		"Corrective Action",
		filters={"creation": (">=", f"{from_date} 00:00:00")},
		fields=["name", "title", "source", "status", "action_owner", "due_date"],
		order_by="creation",
	)
	kpi.translated(rows, "source", "status")
	columns = [
		{"fieldname": "name", "label": _("Corrective Action"), "fieldtype": "Data"},
		{"fieldname": "title", "label": _("Subject"), "fieldtype": "Data"},
		{"fieldname": "source", "label": _("Raised By"), "fieldtype": "Data"},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data"},
		{"fieldname": "action_owner", "label": _("Owner"), "fieldtype": "Data"},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Data"},
	]
	return section(_("Corrective Actions Raised"), columns, rows)


def render_pdf(title: str, from_date, to_date, sections: list[dict]) -> bytes:
	html = frappe.render_template(
		TEMPLATE,
		{
			"title": title,
			"from_date": from_date,
			"to_date": to_date,
			"made_at": format_datetime(now_datetime(), "yyyy-MM-dd HH:mm"),
			"sections": sections,
		},
	)
	return get_pdf(html)


def monthly_sections(from_date, to_date) -> list[dict]:
	filters = frappe._dict(from_date=str(from_date), to_date=str(to_date))
	sections = []
	columns, rows = case_timeliness.execute({**filters, "group_by": "Property"})[:2]
	sections.append(section(_("Case Timeliness by Property (R29)"), columns, rows))
	columns, rows = case_timeliness.execute({**filters, "group_by": "Case Type"})[:2]
	sections.append(section(_("Case Timeliness by Case Type (R29)"), columns, rows))
	columns, rows = repair_kpi.execute({**filters, "group_by": "Property"})[:2]
	sections.append(section(_("Minor/Urgent Repair Timeliness and Rework Rate (R30)"), columns, rows))
	columns, rows = repair_kpi.execute({**filters, "show_cases": 1})[:2]
	sections.append(section(_("Breaches (R30)"), columns, rows))
	columns, rows = monthly_repair_summary.execute(dict(filters))[:2]
	sections.append(section(_("Repairs by Property and Developer (R27)"), columns, rows))
	columns, rows = monthly_repair_summary.execute({**filters, "show_cases": 1})[:2]
	sections.append(section(_("Open Items and Their Chasers (R27)"), columns, rows))
	sections.append(corrective_section(from_date, to_date))
	return sections


def send_monthly_report(month_day=None) -> str | None:
	"""The report of the month of `month_day` (default: last month). Returns the Email Queue name, if sent."""
	month_day = getdate(month_day or add_months(today(), -1))
	from_date, to_date = get_first_day(month_day), get_last_day(month_day)
	corrective.check_kpi_swings(month_day)
	to = recipients("monthly_report_recipients")
	if not to:
		return None
	label = month_day.strftime("%Y-%m")
	title = _("Monthly Repair and Complaint Report {0}").format(label)
	pdf = render_pdf(title, from_date, to_date, monthly_sections(from_date, to_date))
	return queue(to, title, pdf, f"monthly-report-{label}.pdf")


def half_yearly_sections(from_date, to_date) -> list[dict]:
	filters = {"from_date": str(from_date), "to_date": str(to_date), "ticket_type": "Complaint"}
	sections = []
	for group_by, title in (
		("Ground", _("Complaints by Ground (R32)")),
		("Validity Class", _("Complaints by Validity Class (R32)")),
		("Property", _("Complaints by Property (R32)")),
		("Team", _("Complaints by Team (R32)")),
	):
		columns, rows = complaint_analysis.execute({**filters, "group_by": group_by})[:2]
		sections.append(section(title, columns, rows))
	columns, rows = complaint_analysis.execute({**filters, "group_by": "Unit", "recurring_only": 1})[:2]
	sections.append(section(_("Units Complaining Repeatedly (R32)"), columns, rows))
	sections.append(corrective_section(from_date, to_date))
	return sections


def send_half_yearly_report(day=None) -> str | None:
	"""The complaint analysis of the half-year before `day` (default: today)."""
	from_date, to_date = kpi.half_year(getdate(day or today()))
	to = recipients("half_yearly_report_recipients")
	if not to:
		return None
	title = _("Half-Yearly Complaint Analysis {0} – {1}").format(from_date, to_date)
	pdf = render_pdf(title, from_date, to_date, half_yearly_sections(from_date, to_date))
	return queue(to, title, pdf, f"complaint-analysis-{from_date}-{to_date}.pdf")


def queue(to: list[str], subject: str, pdf: bytes, fname: str) -> str | None:
	return notify.email(
		to,
		subject,
		_("The report is attached as a PDF. The figures on the desk are live; this copy is as of today."),
		attachments=[{"fname": fname, "fcontent": pdf}],
	)

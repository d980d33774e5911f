"""Which properties a staff user works for (R4, R1): each 管理处's staff see and act on their own properties only.

A staff user's properties are Frappe's own User Permissions on Property (allow = Property, applying to every
DocType): Frappe applies them by itself to every list, count, report view, form, print and link search of a
DocType that links to Property, which every record DocType of the app does (Escalation and Resident excepted,
see below). Company departments (客户服务部, 品质部, 总经理, 工程部) hold no such rows and see every property.

A staff user with no rows is unrestricted, as everywhere in Frappe: one rule for the lists, the forms and the
reports, so that the reports never count what the lists hide (docs/architecture.md, "Work per property").

What Frappe cannot do by itself is done here, each for one reason:
- the script reports and the app's own queries (frappe.qb, get_all) skip permissions: they call
  `property_criterion` / `property_filter`;
- Escalation is written by the escalation job's multi-row insert (services/sql.py) and has no Property link,
  Resident may live in units of several properties: their list conditions and document checks are below,
  hooked in hooks.py (`permission_query_conditions`, `has_permission`);
- child tables (a job log's entries, a sheet's cases …) carry no Property: Frappe lists them to anyone who
  reads the parent DocType, so their rows follow their parent's property (`child_query_conditions`).
"""

import frappe
from frappe.query_builder import Criterion
from frappe.utils import cint

from property_helpdesk.constants import CASE, ESCALATION, PROPERTY, RESIDENT, UNIT


def allowed_properties(user: str | None = None, doctype: str | None = None) -> list[str] | None:
	"""The properties `user` (default: the session user) is restricted to, or None when unrestricted.

	The rows that apply to every DocType count, and with `doctype` also those the admin applied to that DocType
	only ("Applicable For"), as Frappe's own list query does."""
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	rows = frappe.permissions.get_user_permissions(user).get(PROPERTY) or []
	allowed = {
		row.get("doc")
		for row in rows
		if not row.get("applicable_for") or (doctype and row.get("applicable_for") == doctype)
	}
	return sorted(allowed) if allowed else None


def property_criterion(column, user: str | None = None, doctype: str | None = None) -> Criterion | None:
	"""A frappe.qb criterion keeping `column` (a Property link) to the user's properties; None if unrestricted."""
	allowed = allowed_properties(user, doctype)
	if allowed is None:
		return None
	return column.isin(allowed)


def property_filter(user: str | None = None, doctype: str | None = None) -> tuple | None:
	"""The same as a get_all filter value: ("in", [...]), or None if unrestricted."""
	allowed = allowed_properties(user, doctype)
	return None if allowed is None else ("in", allowed)


def restrict(query, column, user: str | None = None, doctype: str | None = None):
	"""`query` (frappe.qb) kept to the user's properties over `column`."""
	condition = property_criterion(column, user, doctype)
	return query if condition is None else query.where(condition)


def _in_list(allowed: list[str]) -> str:
	return ", ".join(frappe.db.escape(p, percent=False) for p in allowed)


# -- Escalation: a case's escalations are the case's property's -----------------------------------------------


def escalation_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	allowed = allowed_properties(user, ESCALATION)
	if allowed is None:
		return ""
	return (
		f"`tab{ESCALATION}`.`service_ticket` in "
		f"(select `name` from `tab{CASE}` where `property` in ({_in_list(allowed)}))"
	)


def has_escalation_permission(doc, ptype=None, user=None, debug=False):
	allowed = allowed_properties(user, ESCALATION)
	if allowed is None:
		return None  # the DocType's role permissions decide
	return frappe.db.get_value(CASE, doc.service_ticket, "property") in allowed


# -- Resident: a resident is of the properties of their units; one not yet placed in a unit is everyone's ------
# (a caller is registered before the unit is known, and any office may be the one to place them)


def resident_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	allowed = allowed_properties(user, RESIDENT)
	if allowed is None:
		return ""
	units = (
		f"select 1 from `tabResident Unit` ru where ru.`parent` = `tab{RESIDENT}`.`name` "
		f"and ru.`parenttype` = '{RESIDENT}'"
	)
	return (
		f"(exists ({units} and ru.`unit` in (select u.`name` from `tab{UNIT}` u "
		f"where u.`property` in ({_in_list(allowed)}))) or not exists ({units}))"
	)


def has_resident_permission(doc, ptype=None, user=None, debug=False):
	allowed = allowed_properties(user, RESIDENT)
	if allowed is None:
		return None
	units = [row.unit for row in doc.get("units") or [] if row.unit]
	if not units:
		return None
	return bool(frappe.get_all(UNIT, filters={"name": ("in", units), "property": ("in", allowed)}, limit=1))


# -- child tables: a row is its parent's ------------------------------------------------------------------------


def parent_condition(parenttype: str, allowed: list[str], user: str | None = None) -> str | None:
	"""SQL keeping the parents of `parenttype` to the allowed properties, None if the parent has no property."""
	if parenttype == RESIDENT:
		return f"`parent` in (select `name` from `tab{RESIDENT}` where {resident_query_conditions(user)})"
	fields = [df.fieldname for df in frappe.get_meta(parenttype).get_link_fields() if df.options == PROPERTY]
	if not fields:
		return None
	return f"`parent` in (select `name` from `tab{parenttype}` where `{fields[0]}` in ({_in_list(allowed)}))"


def child_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of the child table `doctype` whose parent is of the user's properties (or has no property)."""
	allowed = allowed_properties(user, doctype)
	if allowed is None or not doctype:
		return ""
	parents = frappe.get_all(
		"DocField",
		filters={"fieldtype": ("in", ["Table", "Table MultiSelect"]), "options": doctype},
		pluck="parent",
	)
	clauses, free = [], []
	for parenttype in sorted(set(parents)):
		condition = parent_condition(parenttype, allowed, user)
		if condition is None:
			free.append(frappe.db.escape(parenttype))
		else:
			clauses.append(
				f"(`tab{doctype}`.`parenttype` = {frappe.db.escape(parenttype)} and `tab{doctype}`.{condition})"
			)
	if free:
		clauses.append(f"`tab{doctype}`.`parenttype` in ({', '.join(free)})")
	return "(" + " or ".join(clauses) + ")" if clauses else ""


# -- global search: Frappe's answers from its index without asking who may read each record --------------------


SEARCH_BATCH = 100  # rows of Frappe's index read at a time while filling one page of the user's results
SEARCH_BATCHES = 5  # at most this many for one page: a search matching mostly others' records ends short


@frappe.whitelist()
def global_search(text: str, start: int = 0, limit: int = 20, doctype: str = "") -> list[dict]:
	"""Frappe's global search (the awesome bar), less the records the user may not read: Frappe filters its
	index only by DocType, and each result carries the record's indexed content (a caller's phone, a unit).

	Frappe pages its index before anything asks who may read a row, so one page of it can hold none of the
	user's records while later pages do (another property's cases, rows of records deleted without the ORM):
	the index is read on, batch by batch, until `limit` readable results after the first `start` are found."""
	from frappe.utils.global_search import search

	start, limit = max(cint(start), 0), max(cint(limit), 1)
	if frappe.session.user == "Administrator":
		return search(text, start=start, limit=limit, doctype=doctype)
	page, skipped = [], 0
	for batch_number in range(SEARCH_BATCHES):
		batch = search(text, start=batch_number * SEARCH_BATCH, limit=SEARCH_BATCH, doctype=doctype)
		for row in readable_rows(batch):
			if skipped < start:
				skipped += 1
			elif len(page) < limit:
				page.append(row)
		if len(page) >= limit or len(batch) < SEARCH_BATCH:
			break
	return page


def readable_rows(results: list[dict]) -> list[dict]:
	"""The rows of a global search's results whose records the session user may read, in their order."""
	names = {}
	for row in results:
		names.setdefault(row.doctype, set()).add(row.name)
	readable = {
		dt: set(frappe.get_list(dt, filters={"name": ("in", list(found))}, pluck="name", limit_page_length=0))
		for dt, found in names.items()
	}
	return [row for row in results if row.name in readable[row.doctype]]


# -- link search: Frappe lets any caller ask it to ignore User Permissions -----------------------------------------
# (meant for a Link field marked "Ignore User Permissions"; Frappe does not check the caller has one, and no field
# of the app has one): for a DocType the user's properties restrict, the request is not honoured.


def keeps_user_permissions(doctype: str) -> bool:
	meta = frappe.get_meta(doctype)
	return doctype in (PROPERTY, RESIDENT, ESCALATION) or any(
		df.options == PROPERTY for df in meta.get_link_fields()
	)


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""Frappe's link search (frappe.desk.search.search_link), keeping the user's properties."""
	from frappe.desk import search

	if ignore_user_permissions and keeps_user_permissions(doctype):
		ignore_user_permissions = False
	return search.search_link(
		doctype, txt, query, filters, page_length, searchfield, reference_doctype, ignore_user_permissions
	)


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | dict | list | None = None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""Frappe's search box (frappe.desk.search.search_widget), keeping the user's properties."""
	from frappe.desk import search

	if ignore_user_permissions and keeps_user_permissions(doctype):
		ignore_user_permissions = False
	return search.search_widget(
		doctype,
		txt,
		query,
		searchfield=searchfield,
		start=start,
		page_length=page_length,
		filters=filters,
		filter_fields=filter_fields,
		as_dict=as_dict,
		reference_doctype=reference_doctype,
		ignore_user_permissions=ignore_user_permissions,
	)

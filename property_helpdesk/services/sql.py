"""Multi-row statements for the escalation job's hot path (every minute, hundreds of rows a run).

frappe.db.bulk_insert and bulk_update build one query-builder term per value and render each into the SQL text:
for a run's hundred escalation records, hundred notifications and hundred case updates that took longer than the
job's own work (benchmarks/escalation.py, 100 due of 100,000 open: 45.7 ms a run with them against 1,119 ms for
loading every open case, 24×, below the 50× target). These build the same statements with frappe.qb, one `%s`
parameter per value, and send the values beside them to the driver, which escapes them: no value is rendered
into the SQL text, and the statement is built in a fraction of the time. Also used by
services/clocks.recompute_open_cases (every open case after a Settings change).
"""

from collections.abc import Sequence

import frappe
from frappe.query_builder import Case, Parameter

P = Parameter("%s")


def insert_rows(doctype: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
	"""INSERT the rows (each in `columns` order) in one statement."""
	if not rows:
		return
	query = (
		frappe.qb.into(frappe.qb.DocType(doctype)).columns(*columns).insert(*[[P] * len(columns)] * len(rows))
	)
	frappe.db.sql(query.get_sql(), [value for row in rows for value in row])


def update_by_name(doctype: str, values: dict[str, dict[str, object]], fields: Sequence[str]) -> None:
	"""UPDATE every named row with its own values in one statement (CASE name WHEN … THEN … END)."""
	if not values:
		return
	table, names = frappe.qb.DocType(doctype), list(values)
	query = frappe.qb.update(table)
	for field in fields:
		case = Case()
		for _name in names:
			case = case.when(table.name == P, P)
		query = query.set(table[field], case)
	query = query.where(table.name.isin([P] * len(names)))
	params = [p for field in fields for name in names for p in (name, values[name][field])]
	frappe.db.sql(query.get_sql(), params + names)

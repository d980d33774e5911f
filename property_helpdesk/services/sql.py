"""Multi-row statements for the escalation job's hot path.

frappe.qb builds every value of a multi-row statement as a query-builder term, which costs more than the work
itself when a run writes hundreds of rows (measured in benchmarks/escalation.py). These helpers send the same
statements with one %s placeholder per value: table and column names are constants of this app, and every value
goes through the driver's escaping, never into the SQL text.
"""

from collections.abc import Sequence

import frappe


def _columns(columns: Sequence[str]) -> str:
	return ", ".join(f"`{c}`" for c in columns)


def insert_rows(
	doctype: str, columns: Sequence[str], rows: Sequence[Sequence], ignore_duplicates=False
) -> None:
	if not rows:
		return
	group = "(" + ", ".join(["%s"] * len(columns)) + ")"
	frappe.db.sql(
		f"insert {'ignore ' if ignore_duplicates else ''}into `tab{doctype}` ({_columns(columns)}) "
		f"values {', '.join([group] * len(rows))}",
		[value for row in rows for value in row],
	)


def update_by_name(doctype: str, values: dict[str, dict[str, object]], fields: Sequence[str]) -> None:
	"""UPDATE every named row with its own values in one statement (CASE name WHEN … THEN … END)."""
	if not values:
		return
	names = list(values)
	cases = ", ".join(
		f"`{field}` = case `name` {' '.join(['when %s then %s'] * len(names))} end" for field in fields
	)
	params = [p for field in fields for name in names for p in (name, values[name][field])]
	frappe.db.sql(
		f"update `tab{doctype}` set {cases} where `name` in ({', '.join(['%s'] * len(names))})",
		params + names,
	)

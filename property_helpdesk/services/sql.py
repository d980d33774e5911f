"""One multi-row UPDATE (CASE name WHEN … THEN … END), still used by services/clocks.recompute_open_cases, which
rewrites the deadlines of every open case after a Settings change.

It sends one %s placeholder per value (table and column names are constants of this app, every value goes
through the driver's escaping, never into the SQL text) where frappe.db.bulk_update builds a query-builder term
per value in chunks of 100. The escalation job, which writes a few hundred rows a run, uses frappe.db.bulk_insert
and bulk_update; recompute_open_cases can do the same once its benchmark says so.
"""

from collections.abc import Sequence

import frappe


def _columns(columns: Sequence[str]) -> str:
	return ", ".join(f"`{c}`" for c in columns)


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

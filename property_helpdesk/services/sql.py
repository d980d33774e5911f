"""Multi-row statements for the escalation job's hot path (every minute, hundreds of rows a run).

frappe.db.bulk_insert and bulk_update build one query-builder term per value and render each into the SQL
text; frappe.qb with one Parameter per value still builds a term per value. For a run's hundred escalation
records, hundred notifications and hundred case updates that took longer than the job's own work
(benchmarks/escalation.py, 100 due of 100,000 open, against ~1.15 s for loading every open case, target 50×:
45.7 ms a run with bulk_insert/bulk_update, 24×; 29.1 ms with qb Parameters, 38×; 19–22 ms with these, 51–60×).
These send the same statements with one %s placeholder per value, the text made from this app's constant table
and column names only: every value goes to the driver, which escapes it, never into the SQL text; a column with
one value for every row (the time, the system user) is escaped once by Frappe's escaping and repeated. Also used
by services/clocks.recompute_open_cases (every open case after a Settings change).
"""

from collections.abc import Sequence

import frappe


def _columns(columns: Sequence[str]) -> str:
	return ", ".join(f"`{c}`" for c in columns)


def literal(value) -> str:
	"""A value as an SQL literal, escaped by Frappe's own escaping (the driver's)."""
	if value is None:
		return "NULL"
	if isinstance(value, int | float) and not isinstance(value, bool):
		return repr(value)
	return frappe.db.escape(str(value))


def insert_rows(
	doctype: str, columns: Sequence[str], rows: Sequence[Sequence], constants: dict | None = None
) -> None:
	"""INSERT the rows (each in `columns` order) in one statement. No IGNORE: a duplicate is an error.
	`constants`: columns with the same value in every row (the time, the system user), escaped once and repeated
	rather than sent once a row."""
	if not rows:
		return
	constants = constants or {}
	group = "(" + ", ".join(["%s"] * len(columns) + [literal(v) for v in constants.values()]) + ")"
	frappe.db.sql(
		f"insert into `tab{doctype}` ({_columns([*columns, *constants])}) values {', '.join([group] * len(rows))}",
		[value for row in rows for value in row],
	)


def existing_names(doctype: str, names: Sequence[str], for_update: bool = False) -> set[str]:
	"""Which of the names exist, in one read by primary key; `for_update` makes it a locking read, which sees
	the latest committed rows whatever the transaction's snapshot."""
	if not names:
		return set()
	return set(
		frappe.db.sql(
			f"select `name` from `tab{doctype}` where `name` in ({', '.join(['%s'] * len(names))})"
			+ (" for update" if for_update else ""),
			list(names),
			pluck=True,
		)
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

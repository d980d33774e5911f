"""READ COMMITTED for the rest of a request that looks a retry's key up before it inserts (issue #15).

The portal's report (api/portal.report_case) and the phone's step (api/field.take_step) look their request key
up with a locking read, so that a retry sees its first send's commit. Under MariaDB's default REPEATABLE READ
a locking read of a key that is not there yet locks the gap of the unique index it falls in, and two first
sends whose keys fall in one gap then each wait for the other's gap to insert their row: a deadlock (error
1213, an HTTP 500), which benchmarks/load found with 500 residents reporting and 40 technicians stepping. Under
READ COMMITTED a locking read locks only rows that exist and sees the latest commit, so a retry still finds its
first send and the unique index still refuses a second row. Frappe has no per-request isolation setting: the
request's transaction, which has written nothing yet, is ended and the next one begun at the lower level (it
ends with the request's own commit or rollback).
"""

import frappe


def read_committed() -> None:
	"""Run the rest of this request at READ COMMITTED; nothing when it already wrote, or outside a request."""
	if not getattr(frappe.local, "request", None) or frappe.db.db_type != "mariadb":
		return
	if frappe.db.transaction_writes:
		return
	frappe.db.sql("commit")  # an empty transaction: Frappe's commit would begin the next one at once
	frappe.db.sql("set transaction isolation level read committed")
	frappe.db.begin()

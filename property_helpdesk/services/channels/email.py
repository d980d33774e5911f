"""Email to a resident through Frappe's Email Queue (frappe.sendmail): queued in the sending job's transaction,
then sent — and retried on an SMTP failure — by Frappe's own email worker. The provider message id is the Email
Queue's name; services.resident_messages reads that row's status to mark the message Sent or Failed."""

import frappe
from frappe import _
from frappe.utils import escape_html, get_url

from property_helpdesk.services.channels import Outgoing, SendError

PROVIDER = "Email Queue"


def is_set_up() -> bool:
	return bool(frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}))


def send(outgoing: Outgoing) -> str:
	if not is_set_up():
		raise SendError(_("No outgoing email account is set up."), retryable=False)
	body = escape_html(outgoing.text).replace("\n", "<br>")
	if outgoing.link:
		url = escape_html(get_url(outgoing.link))
		anchor = f'<a href="{url}">{url}</a>'
		# the text carries the link (as an SMS does): made clickable where it stands, else added below
		body = body.replace(url, anchor) if url in body else f"{body}<p>{anchor}</p>"
	queued = frappe.sendmail(
		recipients=[outgoing.recipient],
		subject=outgoing.subject or outgoing.text[:60],
		message=body,
		reference_doctype=outgoing.reference_doctype,
		reference_name=outgoing.reference_name,
		delayed=True,
	)
	if not queued:  # the address unsubscribed from the case's emails (Email Unsubscribe)
		raise SendError(_("{0} unsubscribed from these emails.").format(outgoing.recipient), retryable=False)
	return queued.name


def status(queue_name: str) -> str | None:
	"""The Email Queue row's status: Not Sent/Sending/Partially Sent (still with Frappe), Sent, Error."""
	return frappe.db.get_value("Email Queue", queue_name, "status")

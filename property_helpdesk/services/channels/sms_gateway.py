"""SMS through Frappe's own SMS Settings: any HTTP gateway, with the parameters and headers kept there."""

import frappe
import requests
from frappe import _
from frappe.core.doctype.sms_settings.sms_settings import create_sms_log, get_headers

from property_helpdesk.procedure.validation import normalise_phone
from property_helpdesk.services.channels import TIMEOUT_SECONDS, Outgoing, SendError


def send(outgoing: Outgoing) -> str:
	settings = frappe.get_cached_doc("SMS Settings")
	if not settings.sms_gateway_url:
		raise SendError(_("No SMS gateway is set in SMS Settings."), retryable=False)
	headers = get_headers(settings)
	number = normalise_phone(outgoing.recipient)  # as Frappe's own send_sms: no spaces, hyphens or brackets
	params = {settings.message_parameter: outgoing.text, settings.receiver_parameter: number}
	params.update({p.parameter: p.value for p in settings.get("parameters") if not p.header})
	if headers.get("Content-Type") == "application/json":
		request = {"json": params}
	elif settings.use_post:
		request = {"data": params}
	else:
		request = {"params": params}
	# Frappe's send_request is the same request without a timeout: a gateway that hangs would hold the worker.
	try:
		response = requests.request(
			"POST" if settings.use_post else "GET",
			settings.sms_gateway_url,
			headers=headers,
			timeout=TIMEOUT_SECONDS,
			**request,
		)
	except requests.RequestException as e:
		raise SendError(_("The SMS gateway did not answer: {0}").format(e)) from e
	if not 200 <= response.status_code < 300:
		raise SendError(
			_("The SMS gateway answered {0}: {1}").format(response.status_code, response.text[:200]),
			retryable=response.status_code >= 500 or response.status_code == 429,
		)
	create_sms_log({"message": outgoing.text.encode(), "receiver_list": [number]}, [number])
	return response.headers.get("X-Message-Id") or response.text[:140]

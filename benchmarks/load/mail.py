"""The site's outgoing mail during a load run: a default outgoing Email Account on the stack's own SMTP server
(aiosmtpd on 127.0.0.1, started by benchmarks/load/run.sh), so that the notifications of the run are queued
(Email Queue) and sent by Frappe's scheduler as on a live site, rather than each failing for want of an account
(an Error Log with its traceback for every notification).

    python benchmarks/load/mail.py --site bench.helpdesk.local --port 2530
"""

import argparse

import frappe

ACCOUNT = "Load Outgoing"


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default="bench.helpdesk.local")
	parser.add_argument("--port", type=int, required=True)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	values = {
		"smtp_server": "127.0.0.1",
		"smtp_port": args.port,
		"enable_outgoing": 1,
		"default_outgoing": 1,
		"no_smtp_authentication": 1,  # the local server takes mail without a login
	}
	if frappe.db.exists("Email Account", ACCOUNT):
		account = frappe.get_doc("Email Account", ACCOUNT)
		account.update(values)
	else:
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": ACCOUNT,
				"email_id": "helpdesk@load.bench",
				**values,
			}
		)
	account.save(ignore_permissions=True)
	frappe.db.commit()
	print(f"outgoing mail: {ACCOUNT} → 127.0.0.1:{args.port}")


if __name__ == "__main__":
	main()

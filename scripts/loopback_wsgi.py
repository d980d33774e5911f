"""gunicorn entry point serving one site per loopback port, with /assets: for the demo, tests and benchmarks.

In production nginx names the site with the X-Frappe-Site-Name header; on a bench that serves each site on its
own 127.0.0.1 port (scripts/lib.sh start_web) this does the same from $FRAPPE_SITE, so the site answers to
http://127.0.0.1:PORT whatever the Host header says. It is tooling, not part of the app: it lives beside the
scripts and gunicorn finds it with `--pythonpath scripts`.
"""

import os

import frappe.app
from frappe.app import application_with_statics

_application = application_with_statics()
_site = os.environ.get("FRAPPE_SITE")
if _site:
	# Frappe's /files middleware finds the site by frappe.app._site or the Host header, not by the header above
	frappe.app._site = _site


def application(environ, start_response):
	if _site:
		environ["HTTP_X_FRAPPE_SITE_NAME"] = _site
	return _application(environ, start_response)

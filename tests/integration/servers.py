"""Real local servers standing in for the outside services these machines cannot reach: an HTTP SMS gateway
(what Frappe's SMS Settings point at) and an SMTP server (what Frappe's Email Queue sends to). Each runs in a
thread of the test process, on 127.0.0.1, records what it received, and can be told how to answer."""

import json
import socket
import threading
import time
from collections import deque
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import frappe

OK, FAIL, HANG = "ok", "fail", "hang"  # how the gateway answers a request: 200, 500, or not before a timeout


class HTTPStandIn:
	"""A threaded HTTP server on 127.0.0.1 (a free port) that records each request — path, query, headers,
	body, form or JSON — and answers by `answer(request)`, or by the next of `script` (OK, FAIL, HANG)."""

	hang_seconds = 15  # longer than any client's timeout (channels.TIMEOUT_SECONDS)

	def __init__(self):
		self.requests: list[dict] = []
		self.script: deque[str] = deque()
		stand_in = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def handle_any(self):
				url = urlparse(self.path)
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				request = {
					"method": self.command,
					"path": url.path,
					"query": {k: v[0] for k, v in parse_qs(url.query).items()},
					"headers": dict(self.headers),
					"body": body,
					"form": {},
					"json": None,
				}
				content_type = self.headers.get("Content-Type") or ""
				if "json" in content_type and body:
					request["json"] = json.loads(body)
				elif "form" in content_type:
					request["form"] = {k: v[0] for k, v in parse_qs(body.decode()).items()}
				status, headers, payload = stand_in.respond(request)
				if status is None:  # hang: the client times out
					time.sleep(stand_in.hang_seconds)
					return
				request["status"] = status
				stand_in.requests.append(request)
				self.send_response(status)
				for key, value in headers.items():
					self.send_header(key, value)
				data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
				self.send_header("Content-Length", str(len(data)))
				self.end_headers()
				self.wfile.write(data)

			do_GET = do_POST = do_PUT = handle_any

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.server.daemon_threads = True
		self.url = f"http://127.0.0.1:{self.server.server_port}"
		self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

	def respond(self, request) -> tuple[int | None, dict, bytes | dict]:
		"""(status, headers, payload) for a request; status None hangs. Override for a provider's protocol."""
		answer = self.script.popleft() if self.script else OK
		if answer == HANG:
			return None, {}, b""
		if answer == FAIL:
			return 500, {"Content-Type": "text/plain"}, b"gateway error"
		return 200, {"Content-Type": "text/plain"}, b"OK"

	def __enter__(self):
		self.thread.start()
		return self

	def __exit__(self, *exc):
		self.server.shutdown()
		self.server.server_close()


class SMSGateway(HTTPStandIn):
	"""An HTTP SMS gateway of the kind Frappe's SMS Settings speak to: `to` and `text` as POST form fields."""

	def messages(self) -> list[tuple[str, str]]:
		"""(number, text) of each SMS accepted, in order."""
		return [(r["form"].get("to"), r["form"].get("text")) for r in self.requests if r["status"] == 200]

	def configure(self) -> None:
		"""Points this site's SMS Settings at the gateway (committed: the web server and worker read them)."""
		settings = frappe.get_doc("SMS Settings")
		settings.sms_gateway_url = f"{self.url}/send"
		settings.message_parameter = "text"
		settings.receiver_parameter = "to"
		settings.use_post = 1
		settings.set("parameters", [])
		settings.save(ignore_permissions=True)
		frappe.db.commit()


def unconfigure_sms() -> None:
	frappe.db.set_single_value("SMS Settings", "sms_gateway_url", None)
	frappe.db.commit()


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class SMTPServer:
	"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every mail it receives."""

	def __init__(self):
		from aiosmtpd.controller import Controller

		self.mails: list = []
		server = self

		class Handler:
			async def handle_DATA(self, smtp, session, envelope):
				mail = message_from_bytes(envelope.content, policy=policy.default)
				server.mails.append({"to": list(envelope.rcpt_tos), "mail": mail})
				return "250 OK"

		self.port = free_port()
		self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

	def __enter__(self):
		self.controller.start()
		return self

	def __exit__(self, *exc):
		self.controller.stop()

	def bodies_to(self, address: str) -> list[str]:
		"""The text of each mail to `address`."""
		out = []
		for item in self.mails:
			if address in item["to"]:
				part = item["mail"].get_body(preferencelist=("plain", "html"))
				out.append(part.get_content() if part else "")
		return out

"""WeChat Official Account template messages (公众号模板消息) through wechatpy: `message/template/send` to the
resident's openid (bound by scanning the portal's QR code, api/wechat.py), with the step's template id, its
variables under the template's keys, and the link to the case. The access token is fetched and kept the SDK's
way (its session storage — Frappe's Redis here, so every worker shares one token: WeChat limits how many a day
an account may fetch), and the API base URL is the public one unless Settings name another."""

import frappe
import requests
from frappe import _
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from property_helpdesk.property_helpdesk.doctype.resident_messaging_providers.resident_messaging_providers import (
	providers,
	secret,
	template,
	wechat_keys,
)
from property_helpdesk.services.channels import TIMEOUT_SECONDS, Outgoing, SendError

PUBLIC_API = "https://api.weixin.qq.com/"
# The token was refused (40001 invalid credential, 40014 invalid token, 42001 expired: another server fetched a
# newer one, or it ran out early): fetch a new one and send again, once.
TOKEN_REFUSED = {40001, 40014, 42001}
# Codes after which a later attempt may go: WeChat busy (-1), the daily API quota (45009, reset by the account's
# clear_quota or the next day), no answer or a non-200 answer (errcode None), and a token refused again right
# after a new one was fetched (another server sharing the AppID fetches tokens too). Every other code — 43004 the
# resident unfollowed the account, 40003 a wrong openid, 40037 a wrong template id, 40013/40125 a wrong AppID or
# AppSecret, 40164 this server's IP not whitelisted — never goes until a person acts.
RETRYABLE_CODES = {None, -1, 45009, *TOKEN_REFUSED}


class TimeoutSession(requests.Session):
	"""wechatpy fetches tokens without a timeout: a WeChat that does not answer would hold the worker."""

	def request(self, *args, **kwargs):
		kwargs["timeout"] = kwargs.get("timeout") or TIMEOUT_SECONDS
		return super().request(*args, **kwargs)


def api_base() -> str:
	base = (providers().wechat_api_base_url or PUBLIC_API).rstrip("/")
	return f"{base}/"


class OfficialAccount(WeChatClient):
	"""wechatpy's client with its API base URL from Settings. wechatpy 1.8 writes the token URL out in full
	(api.weixin.qq.com/cgi-bin/token); this asks the same of the configured base, by the SDK's own fetch."""

	def __init__(self, appid: str, secret: str, base: str):
		self.API_BASE_URL = f"{base}cgi-bin/"
		super().__init__(
			appid,
			secret,
			session=RedisStorage(frappe.cache, prefix=f"{frappe.local.site}:wechatpy"),
			timeout=TIMEOUT_SECONDS,
			# Our own single retry instead: the SDK's refetch-and-retry repeats for as long as WeChat refuses.
			auto_retry=False,
		)
		self._http = TimeoutSession()

	def fetch_access_token(self):
		return self._fetch_access_token(
			url=f"{self.API_BASE_URL}token",
			params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
		)


def is_set_up() -> bool:
	"""Whether the Official Account is set up (channels.is_set_up asks before choosing WeChat)."""
	settings = providers()
	return bool(settings.wechat_app_id and secret(settings, "wechat_app_secret"))


def credentials() -> tuple[str, str]:
	settings = providers()
	app_secret = secret(settings, "wechat_app_secret")
	if not settings.wechat_app_id or not app_secret:
		raise SendError(
			_("WeChat needs the Official Account's AppID and AppSecret in Settings."), retryable=False
		)
	return settings.wechat_app_id, app_secret


def client() -> OfficialAccount:
	return OfficialAccount(*credentials(), base=api_base())


def oauth(redirect_uri: str, state: str) -> WeChatOAuth:
	"""wechatpy's web-page authorisation (网页授权, snsapi_base: the openid only, without a prompt)."""
	app_id, app_secret = credentials()
	auth = WeChatOAuth(app_id, app_secret, redirect_uri, scope="snsapi_base", state=state)
	auth.API_BASE_URL = api_base()
	auth._http = TimeoutSession()
	return auth


def send(outgoing: Outgoing) -> str:
	template_id, _names, values = template(outgoing.step, "wechat_template_id", outgoing.params)
	data = {key: {"value": value} for key, value in zip(wechat_keys(outgoing.step), values, strict=True)}
	account = client()
	try:
		try:
			result = account.message.send_template(outgoing.recipient, template_id, data, url=outgoing.link)
		except WeChatClientException as e:
			if e.errcode not in TOKEN_REFUSED:
				raise
			account.fetch_access_token()
			result = account.message.send_template(outgoing.recipient, template_id, data, url=outgoing.link)
	except WeChatClientException as e:
		raise SendError(
			_("WeChat answered {0}: {1}").format(e.errcode, e.errmsg), retryable=e.errcode in RETRYABLE_CODES
		) from e
	except requests.RequestException as e:
		raise SendError(_("WeChat did not answer: {0}").format(e)) from e
	return str(result["msgid"])

"""The app's own errors, as frappe/hrms names its own: code throws them with `frappe.throw(msg, exc=...)` and
tests assert the type, not the English text. Each keeps the HTTP status of the Frappe error it extends
(PermissionError 403, ValidationError 417), so a client sees the same answer as before."""

import frappe


class ServerOwnedError(frappe.PermissionError):
	"""A value only the case's own actions or the server set (a record row, a stamped time) was typed."""


class AcceptorError(frappe.PermissionError):
	"""R34: the acceptor or follow-up owner changed other than by a recorded hand-over."""


class InvalidHandoverError(frappe.ValidationError):
	"""R34: a hand-over to nobody, to a non-staff user, to the current owner, or without a reason."""


class InvalidTimeError(frappe.ValidationError):
	"""A time that cannot be: a call from the future, a dispatch before the call."""


class MissingJudgementError(frappe.ValidationError):
	"""R12–R15: a repair without its location type, a complaint without its ground."""


class ResultMissingError(frappe.ValidationError):
	"""R33: a case finished without a result and an answer to the resident."""


class ActingForOwnerError(frappe.ValidationError):
	"""R19: acting on the owner's behalf without the owner's liability, the hazard or the liable owner."""


class ClockPauseError(frappe.ValidationError):
	"""R37: pausing paused clocks, resuming running ones."""


class CaseFinishedError(frappe.ValidationError):
	"""An action on a case that is already resolved or closed."""


class FrozenFieldError(frappe.PermissionError, frappe.ValidationError):
	"""A field changed after the step that fixes it (a signed liaison sheet, an answered settlement). Refused
	as it always was, with 403: nobody may change what was signed; it is a ValidationError too, as the
	settlement's frozen amounts were."""


class StepPreconditionError(frappe.ValidationError):
	"""A workflow step taken without what it needs (a phone approval, a plan, a signature)."""


class BillingError(frappe.ValidationError):
	"""R11, R39: a charge off the published price, a payment without its invoice, nobody to bill."""


class NobodyToTellError(frappe.ValidationError):
	"""Nobody holds the role the procedure says must be told or must accept."""


class PauseRefusedError(ClockPauseError):
	"""R37: a pause that would stop a deadline already passed (and its escalation), or for a reason without a
	limit in Settings."""


class ReworkError(frappe.ValidationError):
	"""R30: a rework confirmed without a proposal, or by someone who may not confirm it."""


class StepOrderError(frappe.ValidationError):
	"""A step of the technician's phone (接单, 到场, 开始, 完工) taken twice, out of order, or on a job that is
	closed; or a tap's request id sent again for another step."""


class JobClassChangeError(frappe.ValidationError):
	"""R20–R22: a change of a job's class after dispatch asked without its reason or expected date, on a closed
	job, to the class it has, or while another request of the job waits for the supervisor."""


class InvalidPhoneError(frappe.ValidationError):
	"""A value given as a phone number that is not one (R7)."""


class SignInCodeError(frappe.AuthenticationError):
	"""Issue 13: a phone sign-in code that is wrong, expired or was never sent (HTTP 401, as a wrong password);
	the same answer whether the number belongs to a resident or not."""


class DecisionError(frappe.ValidationError):
	"""R2, R42: a decision or an owner meeting recorded on a case routed to nobody, twice, or without words."""


class PlaceError(frappe.ValidationError):
	"""Issue 14: a case at a disabled common area, or at a unit and a common area of two properties."""


class QueueUnavailableError(frappe.ValidationError):
	"""Issue 15: the background queue (Redis) is unreachable while a save asks for work that only a queued job
	would do (an assignment, a staff SMS): the save is refused whole, with nothing kept (HTTP 503)."""

	http_status_code = 503

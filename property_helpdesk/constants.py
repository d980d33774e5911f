"""One home for the names the app's code shares: DocTypes, the Settings single, case types and states.

Values are the stored (English) option values; what users read is their translation. Import from here rather
than spelling a name again, so that a rename is one edit.
"""

# -- DocTypes ---------------------------------------------------------------------------------------------
SETTINGS = "Property Helpdesk Settings"
CASE = "Service Ticket"
WORK_ORDER = "Repair Work Order"
RETURN_VISIT = "Return Visit"
ESCALATION = "Escalation"
LIAISON_SHEET = "Liaison Sheet"
SETTLEMENT = "Compensation Settlement"
WARRANTY_PLAN = "Warranty Repair Plan"
JOB_LOG = "Maintenance Job Log"
CORRECTIVE_ACTION = "Corrective Action"
PORTAL_REGISTRATION = "Portal Registration"
PROPERTY = "Property"
UNIT = "Property Unit"
RESIDENT = "Resident"
DEVELOPER = "Property Developer"
WARRANTY_RULE = "Warranty Rule"
COMPLAINT_GROUND = "Complaint Ground"

# -- Case types (Service Ticket.ticket_type) ------------------------------------------------------------
REPAIR = "Repair"
COMPLAINT = "Complaint"
SERVICE_REQUEST = "Service Request"
PAID_SERVICE = "Paid Service"
ENQUIRY = "Enquiry"
CASE_TYPES = (REPAIR, COMPLAINT, SERVICE_REQUEST, PAID_SERVICE, ENQUIRY)
# R7, R10, R15: repairs and paid services are judged for liability and get a work order at acceptance
WORK_ORDER_TYPES = (REPAIR, PAID_SERVICE)
# R23: complaints and service requests are answered within the answer limit
ANSWER_TYPES = (COMPLAINT, SERVICE_REQUEST)
# R29: what 处理及时率 counts
KPI_TYPES = (REPAIR, PAID_SERVICE, COMPLAINT, SERVICE_REQUEST)

# -- Case states (Service Ticket.status) ----------------------------------------------------------------
OPEN = "Open"
IN_PROGRESS = "In Progress"
RESOLVED = "Resolved"
CLOSED = "Closed"
OPEN_STATES = (OPEN, IN_PROGRESS)
CLOSED_STATES = (RESOLVED, CLOSED)

# -- Work order states (Repair Work Order.status) -------------------------------------------------------
DISPATCHED = "Dispatched"
ON_SITE = "On Site"
COMPLETED = "Completed"
RETURNED = "Returned"
CANCELLED = "Cancelled"

# -- Liaison sheet states (Workflow "Liaison Sheet Approval") -------------------------------------------
REPLIED_STATES = ("Replied", "Closed")
SIGNED_STATES = ("GM Signed", "Sent to Developer", *REPLIED_STATES)
VISIBLE_TO_DEVELOPER = ("Sent to Developer", *REPLIED_STATES)

# -- Roles (R4) -----------------------------------------------------------------------------------------
DUTY_STAFF = "Property Duty Staff"
OFFICE_DIRECTOR = "Property Office Director"
CS_MANAGER = "Property CS Manager"
GENERAL_MANAGER = "Property General Manager"
MAINTENANCE_SUPERVISOR = "Property Maintenance Supervisor"
ENGINEERING_MANAGER = "Property Engineering Manager"
TECHNICIAN = "Property Maintenance Technician"
QUALITY_OFFICER = "Property Quality Officer"
RESIDENT_ROLE = "Property Resident"
DEVELOPER_CONTACT = "Property Developer Contact"

# -- The technician's phone ------------------------------------------------------------------------
WORK_ORDER_STEP = "Work Order Step"

# -- Job class fixed at dispatch (R20–R22) ----------------------------------------------------------------
JOB_CLASS_CHANGE = "Job Class Change"
# Job Class Change's workflow states (Workflow "Job Class Change Approval")
CLASS_CHANGE_PENDING = "Pending Approval"
CLASS_CHANGE_APPROVED = "Approved"
CLASS_CHANGE_REJECTED = "Rejected"

# -- Telling residents (R8, R10, R22–R24, R34, R36, R39): Resident Message.step and .status ------------------
RESIDENT_MESSAGE = "Resident Message"
MESSAGE_ACCEPTED = "Accepted"  # R34: the follow-up owner's name and phone, the case number
MESSAGE_DISPATCHED = "Dispatched"  # R10: a technician is sent, with the appointment
MESSAGE_APPOINTMENT = "Appointment Set"  # R10: the appointment agreed (or moved) after the dispatch
MESSAGE_ON_THE_WAY = "On The Way"  # R20: the technician took the job
MESSAGE_ARRIVED = "Arrived"
MESSAGE_MAJOR_EXPLAINED = "Major Job Explained"  # R22: the reason and the expected date
MESSAGE_COMPLAINT_ANSWERED = "Complaint Answered"  # R23
MESSAGE_DONE = "Done"  # R36: please confirm and rate
MESSAGE_RETURN_VISIT = "Return Visit"  # R24
MESSAGE_INVOICE = "Invoice"  # R39
MESSAGE_RECEIPT = "Receipt"  # R39
MESSAGE_STEPS = (
	MESSAGE_ACCEPTED,
	MESSAGE_DISPATCHED,
	MESSAGE_APPOINTMENT,
	MESSAGE_ON_THE_WAY,
	MESSAGE_ARRIVED,
	MESSAGE_MAJOR_EXPLAINED,
	MESSAGE_COMPLAINT_ANSWERED,
	MESSAGE_DONE,
	MESSAGE_RETURN_VISIT,
	MESSAGE_INVOICE,
	MESSAGE_RECEIPT,
)
SIGN_IN_CODE = "Sign-in Code"  # sent by phone sign-in through channels.send, never kept as a Resident Message
MESSAGE_QUEUED = "Queued"
MESSAGE_SENT = "Sent"
MESSAGE_FAILED = "Failed"
MESSAGE_NOT_SENT = "Not Sent"  # no channel reaches the resident: kept as sent nowhere, visible on the case
NO_CHANNEL = "None"

# -- The on-duty rota (值班表, R1) -------------------------------------------------------------------
DUTY_ROTA = "Duty Rota"

# -- Telling residents through the template-based providers (Alibaba Cloud SMS, Tencent Cloud SMS, WeChat) --
MESSAGING_PROVIDERS = "Resident Messaging Providers"
MESSAGE_TEMPLATE = "Resident Message Template"

# -- Paid services by service type (R11): Paid Service Type, Service Ticket.service_type ---------------------
PAID_SERVICE_TYPE = "Paid Service Type"
# Seeded once (setup/install.py); repairs stay with the maintenance team (R10, R15)
REPAIR_SERVICE_TYPE = "维修"
SEEDED_SERVICE_TYPES = ("室内清洁", "绿化服务", "告示牌租用", REPAIR_SERVICE_TYPE)
# the case types that carry a service type at the desk
SERVICE_TYPED_CASES = ("Service Request", "Paid Service")

# -- Places of a property where cases are reported (扫码报修, issue 14) ------------------------------------
COMMON_AREA = "Common Area"
PLACE_LABEL_FORMATS = {UNIT: "Unit QR Label", COMMON_AREA: "Common Area QR Label"}

"""Constants of the notify plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.notify.notices import Notices
    from cordboard.plugins.notify.service import Mailer
    from cordboard.plugins.notify.sms import SmsService

DOMAIN: Final = "notify"
MAIL_KEY: Final[DataKey[Mailer]] = DataKey("notify.mail")
"""The e-mail service other plugins send through: ``await core.data[MAIL_KEY].send(...)``."""
SMS_KEY: Final[DataKey[SmsService]] = DataKey("notify.sms")
"""The SMS service (a GSM modem on a serial port): ``await core.data[SMS_KEY].send(to, text)``."""
NOTICES_KEY: Final[DataKey[Notices]] = DataKey("notify.notices")
"""The listeners that e-mail users about the events they chose (NTF-02)."""

CONF_HOST: Final = "smtp_host"
CONF_PORT: Final = "smtp_port"
CONF_SECURITY: Final = "security"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"
CONF_SENDER: Final = "sender_address"
CONF_SENDER_NAME: Final = "sender_name"

SECURITY_STARTTLS: Final = "starttls"
SECURITY_TLS: Final = "tls"
SECURITY_NONE: Final = "none"
SECURITIES: Final = (SECURITY_STARTTLS, SECURITY_TLS, SECURITY_NONE)
"""STARTTLS on a plain connection (port 587), TLS from the first byte (port 465), or no encryption."""
DEFAULT_PORT: Final = 587
DEFAULT_SECURITY: Final = SECURITY_STARTTLS
DEFAULT_SENDER_NAME: Final = "Cordboard"

STATUS_QUEUED: Final = "queued"
STATUS_SENT: Final = "sent"
STATUS_FAILED: Final = "failed"

RETRY_DELAYS: Final[tuple[float, ...]] = (30.0, 120.0, 600.0, 3600.0)
"""Seconds to wait after the 1st, 2nd, 3rd ... failed attempt; the last one repeats. Read when the
mailer starts, so that tests can shorten it."""
GIVE_UP_AFTER_S: Final = 24 * 3600.0
"""A message the server has not taken this long after it was queued is marked failed."""
SEND_TIMEOUT_S: Final = 60.0
"""How long one SMTP step (connect, a command, the data) may take in the background queue."""
TEST_TIMEOUT_S: Final = 20.0
"""The same for the admin's test mail, who waits for the answer."""
KEEP_FINISHED_S: Final = 30 * 24 * 3600.0
"""Sent and failed messages stay listed this long, then their rows are deleted."""
QUEUE_LIST_LIMIT: Final = 100
ATTACHMENTS_DIR: Final = "notify/mail"
"""Under the data folder: one folder per queued message with its attachments, removed once it is done."""

# -- per-user notifications (NTF-01, NTF-02) ------------------------------------------------
CONF_EMAIL_ADDRESS: Final = "email_address"
"""NTF-01: where a user's notification e-mails go; unset, their own e-mail address."""
CONF_ON_MISSED_CALL: Final = "on_missed_call"
CONF_ON_CALL_DATA: Final = "on_call_data"
CONF_ON_ACCOUNT_CHANGE: Final = "on_account_change"
CONF_ON_MAILBOX_FULL: Final = "on_mailbox_full"
USER_SETTINGS: Final = (
    CONF_EMAIL_ADDRESS,
    CONF_ON_MISSED_CALL,
    CONF_ON_CALL_DATA,
    CONF_ON_ACCOUNT_CHANGE,
    CONF_ON_MAILBOX_FULL,
)
"""The fields each user sets for themselves (NTF-01, NTF-02)."""
ACCOUNT_CHANGES: Final = ("password", "pin", "sip_password", "email", "username", "role", "locked")
"""What of a user's account, when changed, is worth an e-mail to them (``on_account_change``)."""

# -- SMS through a GSM modem ------------------------------------------------------------------
CONF_SMS_DEVICE: Final = "sms_device"
CONF_SMS_BAUD_RATE: Final = "sms_baud_rate"
CONF_SMS_PIN: Final = "sms_pin"
CONF_SMS_MODE: Final = "sms_mode"
CONF_SMS_SMSC: Final = "sms_smsc"

SMS_MODE_PDU: Final = "pdu"
SMS_MODE_TEXT: Final = "text"
SMS_MODES: Final = (SMS_MODE_PDU, SMS_MODE_TEXT)
DEFAULT_SMS_MODE: Final = SMS_MODE_PDU
BAUD_RATES: Final = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
DEFAULT_BAUD_RATE: Final = 115200

MODEM_COMMAND_TIMEOUT_S: Final = 5.0
"""How long the modem may take to answer one AT command (or to show the ``> `` prompt). Read when
the SMS service starts, so that tests can shorten it."""
MODEM_SEND_TIMEOUT_S: Final = 60.0
"""How long the network may take to accept one SMS after its text was handed to the modem."""
SMS_MAX_TEXT: Final = 1000
"""Characters of one SMS text at most (sent in up to 15 concatenated parts)."""

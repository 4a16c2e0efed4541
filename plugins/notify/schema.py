"""CONFIG_SCHEMA of the notify plugin: the SMTP relay (BYD-28) that every e-mail goes through, and
the GSM modem every SMS goes through.

Every field may be left empty so that the plugin loads before an admin has set it up; a mail sent
without a host or a sender address waits in the queue (and the test mail says what is missing).
The password is ``cv.password``, which the settings form shows as a password field. The SIM PIN
is ``cv.pin`` (4 to 8 digits): a SIM PIN is shorter than ``cv.password`` allows. An SMS sent
without a modem device waits in the queue likewise.

The last fields are what users choose for themselves (NTF-01, NTF-02; user-editable scoped
settings): the address their notification e-mails go to and which events they are told about. The
organisation's values are the defaults.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.notify.const import (
    BAUD_RATES,
    CONF_EMAIL_ADDRESS,
    CONF_HOST,
    CONF_ON_ACCOUNT_CHANGE,
    CONF_ON_CALL_DATA,
    CONF_ON_MAILBOX_FULL,
    CONF_ON_MISSED_CALL,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SECURITY,
    CONF_SENDER,
    CONF_SENDER_NAME,
    CONF_SMS_BAUD_RATE,
    CONF_SMS_DEVICE,
    CONF_SMS_MODE,
    CONF_SMS_PIN,
    CONF_SMS_SMSC,
    CONF_USERNAME,
    DEFAULT_BAUD_RATE,
    DEFAULT_PORT,
    DEFAULT_SECURITY,
    DEFAULT_SENDER_NAME,
    DEFAULT_SMS_MODE,
    SECURITIES,
    SMS_MODES,
)

CONFIG_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_HOST, description="The SMTP server's name or address, such as smtp.example.com"): (
            vol.All(cv.string, vol.Length(max=253, msg="at most 253 characters"))
        ),
        vol.Optional(CONF_PORT, default=DEFAULT_PORT, description="587 for STARTTLS, 465 for TLS"): cv.port,
        vol.Optional(CONF_SECURITY, default=DEFAULT_SECURITY): vol.In(
            SECURITIES, msg=f"one of {', '.join(SECURITIES)}"
        ),
        vol.Optional(CONF_USERNAME, description="Leave empty when the server takes mail without login"): (
            vol.All(cv.string, vol.Length(max=256, msg="at most 256 characters"))
        ),
        vol.Optional(CONF_PASSWORD): cv.password,
        vol.Optional(CONF_SENDER, description="The From address of every e-mail Cordboard sends"): cv.email,
        vol.Optional(CONF_SENDER_NAME, default=DEFAULT_SENDER_NAME): vol.All(
            cv.string, vol.Length(max=100, msg="at most 100 characters")
        ),
        vol.Optional(
            CONF_SMS_DEVICE, description="The GSM modem's serial port, such as /dev/ttyUSB0"
        ): vol.All(cv.string, vol.Length(min=1, max=255, msg="at most 255 characters")),
        vol.Optional(CONF_SMS_BAUD_RATE, default=DEFAULT_BAUD_RATE): vol.All(
            vol.Coerce(int), vol.In(BAUD_RATES, msg=f"one of {', '.join(str(r) for r in BAUD_RATES)}")
        ),
        vol.Optional(CONF_SMS_PIN, description="Leave empty when the SIM card asks for no PIN"): vol.All(
            cv.pin, vol.Length(max=8, msg="a SIM PIN is 4 to 8 digits")
        ),
        vol.Optional(
            CONF_SMS_MODE, default=DEFAULT_SMS_MODE, description="PDU works with nearly every modem"
        ): vol.In(SMS_MODES, msg=f"one of {', '.join(SMS_MODES)}"),
        vol.Optional(
            CONF_SMS_SMSC, description="Leave empty to use the SMS centre stored on the SIM card"
        ): cv.e164,
        vol.Optional(
            CONF_EMAIL_ADDRESS,
            description="Where users' notification e-mails go (NTF-01). Leave empty: each user's own "
            "e-mail address. Users may set their own.",
        ): cv.email,
        vol.Optional(
            CONF_ON_MISSED_CALL,
            default=False,
            description="E-mail users about calls to them that nobody answered (NTF-02). Users may "
            "choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            CONF_ON_CALL_DATA,
            default=False,
            description="E-mail users a summary after each of their calls: who, when, how long, the "
            "result (NTF-02). Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            CONF_ON_ACCOUNT_CHANGE,
            default=True,
            description="E-mail users when their account changes: password, PIN, e-mail, role, "
            "locked (NTF-02). Users may choose for themselves.",
        ): cv.boolean,
        vol.Optional(
            CONF_ON_MAILBOX_FULL,
            default=True,
            description="E-mail users when their voice mailbox is too full to take a message "
            "(NTF-02). Users may choose for themselves.",
        ): cv.boolean,
    }
)

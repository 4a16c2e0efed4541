"""CONFIG_SCHEMA of the notify plugin: the SMTP relay (BYD-28) that every e-mail goes through.

Every field may be left empty so that the plugin loads before an admin has set it up; a mail sent
without a host or a sender address waits in the queue (and the test mail says what is missing).
The password is ``cv.password``, which the settings form shows as a password field.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.plugins.notify.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SECURITY,
    CONF_SENDER,
    CONF_SENDER_NAME,
    CONF_USERNAME,
    DEFAULT_PORT,
    DEFAULT_SECURITY,
    DEFAULT_SENDER_NAME,
    SECURITIES,
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
    }
)

"""Constants of the directory plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cordboard.core.keys import DataKey

if TYPE_CHECKING:
    from cordboard.plugins.directory.book import Directory

DOMAIN: Final = "directory"
DIRECTORY_KEY: Final[DataKey[Directory]] = DataKey("directory.book")

CONF_NAME_CALLERS: Final = "name_incoming_callers"
CONF_BLOCK_CALLERS: Final = "block_blocked_contacts"
CONF_PHONE_BOOK: Final = "contacts_in_phone_book"
CONF_SHOW_MOBILES: Final = "show_mobile_numbers"

CONTACT_TYPES: Final = ("favourite", "contact", "vip", "blocked")
"""DIR-07: favourites are listed first, VIPs flagged, blocked contacts cannot call the owner (BAR-07)."""
NUMBER_TYPES: Final = ("work", "mobile", "home", "fax", "other")
SCOPES: Final = ("org", "group", "user")
TEXT_FIELDS: Final = (
    "first_name",
    "last_name",
    "company",
    "department",
    "short_name",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "speed_dial",
)
"""DIR-08's contact fields besides the type and the numbers."""
MAX_NUMBERS: Final = 10
MAX_ENTRIES: Final = 500
"""At most this many directory entries are sent for one search; ``total`` tells how many matched."""
MATCH_DIGITS: Final = 6
"""A caller's number matches a contact's when one ends with the other and the shorter has at least
this many digits (so that ``33 12 34 56`` typed nationally matches ``+4533123456`` from the trunk)."""

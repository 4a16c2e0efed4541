"""The provisioning tab's HTTPS address and firmware URLs in a real browser over a real `cordboard run`.

An administrator sees the provisioning URL over HTTPS beside the HTTP one (BYD-08), chooses which
one plug-and-play sends, and sets a firmware URL for a phone model (issue 9: "firmware URL
optional"): the browser refuses a URL that is not http(s), the API's refusal is shown at the field,
and once saved the Yealink of that model finds the URL in the file it fetches over HTTPS (trusting
the certificate from the data folder) while a phone of another model does not. Removing the row
takes it out again.
"""

from __future__ import annotations

import re
import ssl
import urllib.request
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from playwright.sync_api import expect

T46U = "001565a1b2c3"
T54W = "001565a1b2c4"
FIRMWARE = "https://fw.example.lan/yealink/T46U-108.86.0.20.rom"


def fetch_over_https(cordboard: Cordboard, url: str, mac: str) -> str:
    """A Yealink's configuration file over HTTPS, trusting the certificate in the data folder."""
    context = ssl.create_default_context(cafile=str(cordboard.data / "tls" / "web.crt"))
    request = urllib.request.Request(f"{url}{mac}.cfg", headers={"User-Agent": f"Yealink SIP-T46U {mac}"})
    with urllib.request.urlopen(request, timeout=10, context=context) as resp:
        return str(resp.read().decode())


def test_https_address_scheme_and_firmware_urls(cordboard: Cordboard, browser: BrowserThread) -> None:
    token = cordboard.token()
    for mac, model in ((T46U, "T46U"), (T54W, "T54W")):
        status, body = cordboard.api("POST", "/api/devices", {"mac": mac, "model": model}, token)
        assert status == 201, body
    browser.run(_https_scheme_and_firmware, cordboard)


def _https_scheme_and_firmware(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/phones/provisioning")
    token = cordboard.token()
    provisioning = cordboard.api("GET", "/api/provisioning", token=token)[1]

    # BYD-08: the HTTPS address, on the HTTPS port, with the note on its certificate.
    https = page.get_by_test_id("provisioning-https-url")
    expect(https).to_have_value(provisioning["https_url"])
    assert provisioning["https_url"].startswith(f"https://127.0.0.1:{cordboard.https_port}/provision/")
    expect(page.get_by_test_id("provisioning-https")).to_contain_text("self-signed")
    expect(page.get_by_test_id("provisioning-url").first).to_have_value(provisioning["url"])

    # Plug-and-play sends HTTP unless the admin chooses HTTPS; the DHCP option 66 values follow.
    scheme = page.get_by_label("Address sent by plug-and-play")
    expect(scheme).to_have_value("http")
    dhcp_yealink = page.locator('[data-testid="dhcp-row"][data-vendor="yealink"] code')
    expect(dhcp_yealink).to_have_text(provisioning["url"])
    scheme.select_option("https")
    page.locator("#provisioning-settings").get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("Provisioning settings saved.")
    settings = cordboard.api("GET", "/api/provisioning", token=token)[1]["settings"]
    assert settings["core.provisioning_scheme"] == "https"
    expect(dhcp_yealink).to_have_text(provisioning["https_url"])
    expect(page.locator('[data-testid="dhcp-row"][data-vendor="snom"] code')).to_have_text(
        provisioning["https_url"] + "{mac}.xml"
    )
    expect(page.get_by_test_id("dhcp-hint")).to_contain_text("The values use HTTPS")

    # Firmware: none yet; the browser refuses an ftp URL, the API a URL with a bad port.
    card = page.get_by_test_id("firmware-urls")
    expect(card.get_by_test_id("firmware-none")).to_be_visible()
    assert "firmware.url" not in fetch_over_https(cordboard, provisioning["https_url"], T46U)
    card.get_by_role("button", name="Add model").click()
    expect(page.locator("#firmware-0-vendor")).to_be_focused()
    page.locator("#firmware-0-vendor").select_option("yealink")
    page.locator("#firmware-0-model").fill("T46U")
    page.locator("#firmware-0-url").fill("ftp://fw.example.lan/T46U.rom")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#firmware-0-url-error")).to_have_text(
        "An address starting with http:// or https://."
    )
    expect(page.locator("#firmware-0-url")).to_have_attribute("aria-invalid", "true")
    page.locator("#firmware-0-url").fill("http://fw.example.lan:99999/T46U.rom")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#firmware-0-url-error")).to_contain_text("http")
    expect(page.locator("#firmware-error")).to_be_visible()
    expect(page.locator("#firmware-0-url")).to_be_focused()
    page.locator("#firmware-0-url").fill(FIRMWARE)
    card.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text(re.compile("Firmware addresses saved"))
    expect(page.locator("#firmware-0-url-error")).to_have_text("")
    entries = cordboard.api("GET", "/api/provisioning/firmware", token=token)[1]["entries"]
    assert entries == [{"vendor": "yealink", "model": "T46U", "url": FIRMWARE}]
    shot(page, "provisioning-firmware")

    # The model's phone gets the URL in Yealink's setting; another model's phone does not.
    assert f"firmware.url = {FIRMWARE}" in fetch_over_https(cordboard, provisioning["https_url"], T46U)
    assert "firmware.url" not in fetch_over_https(cordboard, provisioning["https_url"], T54W)

    # After a reload the row is still there; removing it and saving takes the URL out again.
    page.reload()
    expect(page.locator("#firmware-0-model")).to_have_value("T46U")
    page.get_by_test_id("firmware-urls").get_by_role("button", name="Remove").click()
    page.get_by_test_id("firmware-urls").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("firmware-none")).to_be_visible()
    assert cordboard.api("GET", "/api/provisioning/firmware", token=token)[1]["entries"] == []
    assert "firmware.url" not in fetch_over_https(cordboard, provisioning["https_url"], T46U)

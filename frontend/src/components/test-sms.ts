/**
 * <cb-test-sms>: on the notify plugin's settings page, send a test SMS through the GSM modem with
 * the saved settings via POST /api/notify/test-sms. The answer is shown next to the button: the
 * number and the modem's message reference, or the modem's reason in words (no modem set up, the
 * SIM wants its PIN, +CMS ERROR 38 network out of order, no answer); a bad number gets its error
 * next to the field.
 */
import { customElement } from "lit/decorators.js";
import { t } from "../i18n";
import { TestSendForm, type TestSendSetup } from "./test-send";

/** POST /api/notify/test-sms's answer when the network took the SMS. */
interface TestSmsResult {
  sent: boolean;
  to: string;
  references: number[];
  device: string;
}

@customElement("cb-test-sms")
export class CbTestSms extends TestSendForm<TestSmsResult> {
  protected readonly setup: TestSendSetup = {
    id: "test-sms",
    endpoint: "/api/notify/test-sms",
    field: { type: "tel", autocomplete: "tel", hint: "testSms.toHint" },
    texts: {
      title: "testSms.title",
      intro: "testSms.intro",
      to: "testSms.to",
      send: "testSms.send",
      sending: "testSms.sending",
    },
  };

  protected sentText(result: TestSmsResult): string {
    return t("testSms.sent", { to: result.to, reference: result.references.join(", ") });
  }

  protected override afterSent(): void {
    this.dispatchEvent(new CustomEvent("notify-sent", { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "cb-test-sms": CbTestSms;
  }
}

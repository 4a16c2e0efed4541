/**
 * <cb-test-mail>: on the notify plugin's settings page, send a test mail with the saved SMTP
 * settings (BYD-28) through POST /api/notify/test-mail. The answer is shown next to the button: the
 * address it went to, or the server's problem in words (not set up, connection refused, wrong
 * password, TLS failure); a bad address gets its error next to the field.
 */
import { customElement } from "lit/decorators.js";
import { t } from "../i18n";
import { session } from "../session";
import { TestSendForm, type TestSendSetup } from "./test-send";

/** POST /api/notify/test-mail's answer when the server took the mail. */
interface TestMailResult {
  sent: boolean;
  to: string;
  server: string;
}

@customElement("cb-test-mail")
export class CbTestMail extends TestSendForm<TestMailResult> {
  protected readonly setup: TestSendSetup = {
    id: "test-mail",
    endpoint: "/api/notify/test-mail",
    field: { type: "email", autocomplete: "email" },
    texts: {
      title: "testMail.title",
      intro: "testMail.intro",
      to: "testMail.to",
      send: "testMail.send",
      sending: "testMail.sending",
    },
  };

  /** The logged-in administrator's own address to start with. */
  protected override to = session.user?.email ?? "";

  protected sentText(result: TestMailResult): string {
    return t("testMail.sent", { to: result.to, server: result.server });
  }
}

/** The call history pages: every call for admins (CDR-02, CDR-08), "My calls" in the user portal (CDR-01, CAPU-02). */
import { html, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { LightElement, pageHeading } from "../base";
import { t } from "../i18n";
import "../components/call-history";
import "../components/live-calls";

@customElement("cb-calls")
export class CbCalls extends LightElement {
  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("calls.title"))}
      <p class="muted">${t("calls.intro")}</p>
      <cb-call-history></cb-call-history>
    </section>`;
  }
}

@customElement("cb-my-calls")
export class CbMyCalls extends LightElement {
  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("calls.myTitle"))}
      <p class="muted">${t("calls.myIntro")}</p>
      <section class="card" aria-labelledby="my-live-calls">
        <h2 id="my-live-calls">${t("calls.myActive")}</h2>
        <cb-live-calls mine></cb-live-calls>
      </section>
      <cb-call-history own></cb-call-history>
    </section>`;
  }
}

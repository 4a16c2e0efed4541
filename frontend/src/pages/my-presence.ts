/** The user's presence (portal, PRS-01..05, PRS-09, PRS-10): availability, activity, DND, end time and shortcuts. */
import { html, type TemplateResult } from "lit";
import { customElement } from "lit/decorators.js";
import { LightElement, pageHeading } from "../base";
import "../components/presence-control";
import { t } from "../i18n";

@customElement("cb-my-presence")
export class CbMyPresence extends LightElement {
  protected override render(): TemplateResult {
    return html`<section class="page">
      ${pageHeading(t("presence.title"))}
      <p class="muted">${t("presence.intro")}</p>
      <cb-presence-control></cb-presence-control>
    </section>`;
  }
}

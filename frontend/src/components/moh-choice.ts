/**
 * <cb-moh-choice>: a user chooses the music their held callers hear (MOH-03, CAPU-20): one of the
 * music-on-hold classes, or what their group or the organisation chose (the user-level value
 * cleared). A <cb-my-setting> whose choices are the classes GET /api/moh/classes lists.
 */
import { html, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { api } from "../api";
import { LightElement } from "../base";
import { t } from "../i18n";
import "./my-setting";
import type { Choice } from "./my-setting";

async function classChoices(): Promise<Choice[]> {
  const { classes } = await api.get<{ classes: string[] }>("/api/moh/classes");
  return classes.map((name): Choice => [name, name]);
}

function savedText(value: unknown): string {
  return value === null ? t("moh.myInherited") : t("moh.mySaved", { name: String(value) });
}

@customElement("cb-moh-choice")
export class CbMohChoice extends LightElement {
  @property({ type: Number }) userId = 0;

  protected override render(): TemplateResult {
    return html`<cb-my-setting .userId=${this.userId} setting="core.music_on_hold" name="moh-choice"
      .heading=${t("moh.myTitle")} .intro=${t("moh.myIntro")} .label=${t("moh.myClass")}
      .loadChoices=${classChoices} .savedText=${savedText}></cb-my-setting>`;
  }
}

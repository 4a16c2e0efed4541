/**
 * <cb-announcement-choice>: the announcement before connect (PRM-06): one of the organisation's
 * prompts that callers hear before the user's phones start to ring, "none", or what the user's
 * group or the organisation chose (the user-level value cleared). A <cb-my-setting> of the setting
 * ``core.announcement_before_connect`` whose choices are "none" and the prompts GET
 * /api/announcement-prompts lists (by name). On the profile page for oneself; with ``admin`` on
 * an administrator's user page, for that user.
 */
import { html, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { api } from "../api";
import { LightElement } from "../base";
import { t } from "../i18n";
import "./my-setting";
import type { Choice } from "./my-setting";

export const ANNOUNCEMENT_SETTING = "core.announcement_before_connect";
/** The value for "no announcement". */
export const NO_ANNOUNCEMENT = "none";

interface PromptChoice {
  id: string;
  name: string;
}

export async function announcementChoices(): Promise<Choice[]> {
  const { prompts } = await api.get<{ prompts: PromptChoice[] }>("/api/announcement-prompts");
  return [[NO_ANNOUNCEMENT, t("announcement.none")], ...prompts.map((p): Choice => [p.id, p.name])];
}

function savedText(value: unknown, label: string): string {
  if (value === null) return t("announcement.myInherited");
  if (value === NO_ANNOUNCEMENT) return t("announcement.savedNone");
  return t("announcement.mySaved", { name: label });
}

function adminSavedText(value: unknown, label: string): string {
  if (value === null) return t("announcement.adminInherited");
  if (value === NO_ANNOUNCEMENT) return t("announcement.adminSavedNone");
  return t("announcement.adminSaved", { name: label });
}

@customElement("cb-announcement-choice")
export class CbAnnouncementChoice extends LightElement {
  @property({ type: Number }) userId = 0;
  /** An administrator chooses for the user (other wording). */
  @property({ type: Boolean }) admin = false;

  protected override render(): TemplateResult {
    return html`<cb-my-setting .userId=${this.userId} setting=${ANNOUNCEMENT_SETTING} name="announcement-choice"
      .heading=${t("announcement.myTitle")} .intro=${this.admin ? t("announcement.adminIntro") : t("announcement.myIntro")}
      .label=${t("announcement.myLabel")} .loadChoices=${announcementChoices} .savedText=${this.admin ? adminSavedText : savedText}></cb-my-setting>`;
  }
}

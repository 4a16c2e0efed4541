/**
 * The table of directory entries shared by the Contacts page and the admin's Directory page
 * (DIR-01, DIR-07): the name (a star for a favourite) with company and department under it, the
 * numbers as tel: links with their types, the e-mail, and for a colleague the availability and
 * activity, for a contact its type (VIP, blocked) and whether it is mandatory. Edit and delete
 * buttons only on the entries the viewer may change (``editable``); a "Planned presence" button on
 * the colleagues whose future presence the viewer may see (``can_view_plans``, PRS-07).
 */
import { html, nothing, type TemplateResult } from "lit";
import {
  availabilityOf,
  contactTypeText,
  entryKey,
  entryName,
  entrySubtitle,
  functionText,
  numberTypeText,
  telHref,
  type ContactEntry,
  type Entry,
  type UserEntry,
} from "../directory";
import { t } from "../i18n";
import { repeat } from "lit/directives/repeat.js";
import { api } from "../api";
import { errorText } from "../base";
import { confirmDialog } from "../dialog";
import { toast } from "../session";

/** Ask, then delete a contact; true once it is gone (the page reloads its list), false when the
 * person changed their mind or the API refused it (a toast says why). */
export async function deleteContact(entry: ContactEntry): Promise<boolean> {
  const name = entryName(entry);
  if (!(await confirmDialog(t("dir.confirmDelete", { name }), t("common.delete")))) return false;
  try {
    await api.delete(`/api/directory/contacts/${entry.id}`);
    toast(t("dir.deleted", { name }));
    return true;
  } catch (err) {
    toast(errorText(err), "error");
    return false;
  }
}

export interface EntryTableOptions {
  /** What the table is, for screen readers. */
  caption: string;
  onEdit?: (entry: ContactEntry) => void;
  onDelete?: (entry: ContactEntry) => void;
  /** Open a colleague's planned presence (only offered where ``can_view_plans``). */
  onPlans?: (entry: UserEntry) => void;
  /** The viewer's own user id: their own row offers no planned presence (My presence has it). */
  selfId?: number | null;
  /** The entry whose form is open: its row is marked. */
  selected?: string | null;
  /** Show which list a contact is on (the user's page, where lists add up). */
  showList?: boolean;
}

function numbersCell(entry: Entry): TemplateResult {
  if (!entry.numbers.length) return html`<span class="muted">—</span>`;
  return html`<ul class="entry-numbers">
    ${entry.numbers.map(
      (n) => html`<li>
        <a href=${telHref(n.number)} aria-label=${t("dir.call", { number: n.number, type: numberTypeText(n.type) })}>${n.number}</a>
        <span class="muted small">${numberTypeText(n.type)}${n.short ? ` · ${t("dir.shortShown", { short: n.short })}` : ""}</span>
      </li>`,
    )}
  </ul>`;
}

function statusCell(entry: Entry, showList: boolean): TemplateResult {
  if (entry.kind === "user") {
    const badge = availabilityOf(entry);
    return html`<div>
      ${badge ? html`<span class="badge ${badge.tone}" data-testid="entry-availability">${badge.text}</span>` : nothing}
      ${entry.activity ? html`<span class="entry-activity" data-testid="entry-activity">${entry.activity}</span>` : nothing}
      ${showList ? html`<div class="muted small">${t("dir.colleague")}</div>` : nothing}
    </div>`;
  }
  if (entry.kind === "function") {
    return html`<div><span class="badge" data-testid="entry-function">${functionText(entry.function)}</span></div>`;
  }
  const badges: TemplateResult[] = [];
  if (entry.type === "vip") badges.push(html`<span class="badge warn" data-testid="entry-vip">${contactTypeText("vip")}</span>`);
  if (entry.type === "blocked") badges.push(html`<span class="badge bad" data-testid="entry-blocked">${contactTypeText("blocked")}</span>`);
  if (entry.mandatory) badges.push(html`<span class="badge" data-testid="entry-mandatory" title=${t("dir.mandatoryTitle")}>${t("dir.mandatory")}</span>`);
  const list =
    entry.scope === "user" ? t("dir.list.own") : entry.scope === "group" ? t("dir.list.group") : t("dir.list.org");
  return html`<div>
    ${badges.length ? html`<span class="entry-badges">${badges}</span>` : nothing}
    ${showList ? html`<div class="muted small">${list}</div>` : nothing}
  </div>`;
}

export function entryTable(entries: readonly Entry[], o: EntryTableOptions): TemplateResult {
  const withActions = Boolean(o.onEdit || o.onDelete || o.onPlans);
  return html`<div class="table-wrap">
    <table class="data responsive entry-table" data-testid="directory-entries">
      <caption class="sr-only">${o.caption}</caption>
      <thead>
        <tr>
          <th scope="col">${t("dir.col.name")}</th>
          <th scope="col">${t("dir.col.numbers")}</th>
          <th scope="col">${t("dir.col.email")}</th>
          <th scope="col">${t("dir.col.status")}</th>
          ${withActions ? html`<th scope="col"><span class="sr-only">${t("common.actions")}</span></th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${repeat(
          entries,
          (e) => entryKey(e),
          (entry) => {
            const name = entryName(entry);
            const sub = entrySubtitle(entry);
            const favourite = entry.kind === "contact" && entry.type === "favourite";
            const blocked = entry.kind === "contact" && entry.type === "blocked";
            const editable = entry.kind === "contact" && entry.editable;
            const plans = entry.kind === "user" && entry.can_view_plans === true && entry.id !== o.selfId;
            // The row's buttons; a row without any leaves its cell empty (and hidden on a phone).
            const actions: TemplateResult[] = [];
            if (plans && o.onPlans && entry.kind === "user") {
              actions.push(html`<button type="button" class="secondary small plans-button" aria-label=${t("dir.plansNamed", { name })}
                @click=${() => o.onPlans?.(entry)}>${t("dir.plans")}</button>`);
            }
            if (editable && o.onEdit && entry.kind === "contact") {
              actions.push(html`<button type="button" class="secondary small" aria-label=${t("dir.editNamed", { name })}
                @click=${() => o.onEdit?.(entry)}>${t("common.edit")}</button>`);
            }
            if (editable && o.onDelete && entry.kind === "contact") {
              actions.push(html`<button type="button" class="danger small" aria-label=${t("dir.deleteNamed", { name })}
                @click=${() => o.onDelete?.(entry)}>${t("common.delete")}</button>`);
            }
            return html`<tr class="entry ${blocked ? "blocked" : ""} ${o.selected === entryKey(entry) ? "selected" : ""}"
              data-testid="entry" data-kind=${entry.kind} data-key=${entryKey(entry)}>
              <td data-label=${t("dir.col.name")}><div>
                <div class="entry-name">
                  ${favourite
                    ? html`<span class="favourite" title=${contactTypeText("favourite")} data-testid="entry-favourite"
                        ><span aria-hidden="true">★</span><span class="sr-only">${contactTypeText("favourite")}:</span></span>`
                    : nothing}
                  <strong>${name}</strong>
                  ${entry.kind !== "contact" && entry.extension ? html`<span class="muted">${entry.extension}</span>` : nothing}
                </div>
                ${sub ? html`<div class="muted small">${sub}</div>` : nothing}
              </div></td>
              <td data-label=${t("dir.col.numbers")}>${numbersCell(entry)}</td>
              <td data-label=${t("dir.col.email")} class="wrap"><div>
                ${entry.email ? html`<a href="mailto:${entry.email}">${entry.email}</a>` : html`<span class="muted">—</span>`}
              </div></td>
              <td data-label=${t("dir.col.status")}>${statusCell(entry, Boolean(o.showList))}</td>
              ${withActions ? html`<td class="entry-actions">${actions.length ? html`<div class="actions">${actions}</div>` : nothing}</td>` : nothing}
            </tr>`;
          },
        )}
      </tbody>
    </table>
  </div>`;
}

/** What the pages show when the API answers 404 for the whole directory: the plugin is off. */
export function pluginOffView(isAdmin: boolean): TemplateResult {
  return html`<div class="notice warn" role="status" data-testid="directory-off">
    <p><strong>${t("dir.off")}</strong></p>
    <p>
      ${isAdmin
        ? html`${t("dir.offAdmin")} <a href="/plugins">${t("dir.offLink")}</a>.`
        : t("dir.offUser")}
    </p>
  </div>`;
}

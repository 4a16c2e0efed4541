/**
 * The level picker of settings that inherit (SET-04): organisation, a group or a user, with the
 * group or user chosen from a list. Used by the settings editor, the routing rules and the working
 * hours pages.
 */
import { html, nothing, type TemplateResult } from "lit";
import { selectField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { fullName } from "../pages/users";
import type { Group, Scope, User } from "../types";

export const SCOPE_LABELS: Record<Scope, MessageKey> = {
  org: "settings.level.org",
  group: "settings.level.group",
  user: "settings.level.user",
};

export interface ScopePickerOptions {
  /** Prefix of the radio group's name and the selects' ids (`<prefix>-group`, `<prefix>-user`). */
  idPrefix: string;
  scopes?: readonly Scope[];
  scope: Scope;
  scopeId: number | null;
  groups: readonly Group[];
  users: readonly User[];
  /** How a user is named in the list; by default "Full Name (username)". */
  userLabel?: (user: User) => string;
  /** A level was picked (with its first group or user), or another group or user of the level. */
  onPick: (scope: Scope, id: number | null) => void;
  /** The fieldset's legend; by default "Level to change". */
  legend?: string;
  /** Other names of the levels than Organisation, User group and User. */
  labels?: Partial<Record<Scope, string>>;
  /** An error about the chosen group or user, shown next to its select. */
  error?: string | null | undefined;
}

export function scopePicker(o: ScopePickerOptions): TemplateResult {
  const firstOf = (scope: Scope): number | null =>
    scope === "group" ? (o.groups[0]?.id ?? null) : scope === "user" ? (o.users[0]?.id ?? null) : null;
  const userLabel = o.userLabel ?? ((u: User) => `${fullName(u)} (${u.username})`);
  return html`<fieldset class="scope-picker">
    <legend>${o.legend ?? t("settings.level")}</legend>
    <div class="segmented">
      ${(o.scopes ?? (["org", "group", "user"] as const)).map(
        (scope) => html`<label class=${o.scope === scope ? "on" : ""}>
          <input type="radio" name="${o.idPrefix}-scope" value=${scope} .checked=${o.scope === scope} @change=${() => o.onPick(scope, firstOf(scope))} />
          ${o.labels?.[scope] ?? t(SCOPE_LABELS[scope])}
        </label>`,
      )}
    </div>
    ${o.scope === "group"
      ? o.groups.length
        ? selectField({
            id: `${o.idPrefix}-group`,
            label: t("settings.chooseGroup"),
            value: String(o.scopeId ?? ""),
            error: o.error,
            options: o.groups.map((g): [string, string] => [String(g.id), g.name]),
            onInput: (v) => o.onPick("group", Number(v)),
          })
        : html`<p class="muted">${t("settings.noGroups")}</p>`
      : nothing}
    ${o.scope === "user"
      ? selectField({
          id: `${o.idPrefix}-user`,
          label: t("settings.chooseUser"),
          value: String(o.scopeId ?? ""),
          error: o.error,
          options: o.users.map((u): [string, string] => [String(u.id), userLabel(u)]),
          onInput: (v) => o.onPick("user", Number(v)),
        })
      : nothing}
  </fieldset>`;
}

/**
 * Routing (admin, RTE-01..05, BYD-25): pick a level (organisation, a user group or a user), see
 * and edit its incoming, outgoing and fallback rules (<cb-rule-lists>) — the organisation also its
 * "Rules for rule-based numbers" (RBN-01) — and try where a call would go with the routing test
 * tool (<cb-routing-test>).
 */
import { html, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import "../components/rule-lists";
import "../components/routing-test";
import { scopePicker } from "../components/scope-picker";
import { t } from "../i18n";
import { labelOf, type Activity, type Role } from "../presence";
import { DEST_KINDS, listsFor, type DestKind, type Names, type Rule } from "../routing";
import type { Group, Scope, User } from "../types";
import { effectiveSettings } from "../user-settings";
import { fullName } from "./users";

export const USER_DESTINATIONS = "core.routing_user_destinations";

/** The destination kinds a user's own rules may use (RTE-05), from their effective settings. */
export async function allowedKinds(userId: number): Promise<DestKind[]> {
  const effective = await effectiveSettings(userId);
  const value = effective[USER_DESTINATIONS]?.value;
  return Array.isArray(value) ? DEST_KINDS.filter((k) => value.includes(k)) : DEST_KINDS;
}

export function namesOf(activities: Activity[], roles: Role[]): Names {
  return {
    activities: new Map(activities.map((a) => [a.id, labelOf(a)])),
    roles: new Map(roles.map((r) => [r.id, labelOf(r)])),
  };
}

@customElement("cb-routing")
export class CbRouting extends LightElement {
  @state() private groups: Group[] = [];
  @state() private users: User[] = [];
  @state() private activities: Activity[] = [];
  @state() private roles: Role[] = [];
  @state() private allRules: Rule[] = [];
  @state() private ready = false;
  @state() private loadError = "";
  @state() private scope: Scope = "org";
  @state() private scopeId: number | null = null;
  @state() private kinds: DestKind[] = DEST_KINDS;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = "";
    try {
      const [groups, users, activities, roles] = await Promise.all([
        api.get<Group[]>("/api/groups"),
        api.get<User[]>("/api/users"),
        api.get<Activity[]>("/api/presence/activities"),
        api.get<Role[]>("/api/presence/roles"),
      ]);
      this.groups = groups;
      this.users = users;
      this.activities = activities;
      this.roles = roles;
      this.ready = true;
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async pick(scope: Scope, id: number | null): Promise<void> {
    this.scope = scope;
    this.scopeId = id;
    this.kinds = DEST_KINDS;
    if (scope === "user" && id !== null) {
      try {
        this.kinds = await allowedKinds(id);
      } catch {
        this.kinds = DEST_KINDS; // the server refuses what is not allowed, next to the field
      }
    }
  }

  private async loadAll(): Promise<void> {
    try {
      this.allRules = await api.get<Rule[]>("/api/routing/rules");
    } catch {
      // Only the reasons' language depends on it: the server's own words are shown instead.
    }
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError) body = errorView(this.loadError, () => void this.load());
    else if (!this.ready) body = loadingView();
    else body = this.view();
    return html`<section class="page">${pageHeading(t("routing.title"))}<p class="muted">${t("routing.intro")}</p>${body}</section>`;
  }

  private view(): TemplateResult {
    const names = namesOf(this.activities, this.roles);
    const chosen = this.scope === "org" || this.scopeId !== null;
    return html`<div class="card">${this.picker()}</div>
      ${chosen
        ? html`<cb-rule-lists
            .scope=${this.scope}
            .scopeId=${this.scopeId}
            .lists=${listsFor(this.scope)}
            .kinds=${this.kinds}
            .activities=${this.activities}
            .roles=${this.roles}
            .names=${names}
            @rules-changed=${() => void this.loadAll()}
          ></cb-rule-lists>`
        : html`<p class="muted">${this.scope === "group" ? t("settings.pickGroup") : t("settings.pickUser")}</p>`}
      <cb-routing-test .names=${names} .rules=${this.allRules}></cb-routing-test>`;
  }

  private picker(): TemplateResult {
    return scopePicker({
      idPrefix: "routing",
      scope: this.scope,
      scopeId: this.scopeId,
      groups: this.groups,
      users: this.users,
      userLabel: (u) => `${fullName(u)} (${u.extension ?? u.username})`,
      onPick: (scope, id) => void this.pick(scope, id),
    });
  }
}

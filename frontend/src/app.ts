/** <cb-app>: the shell. Checks setup and session, routes, shows the navigation for the user's role. */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api, ApiError, setUnauthorizedHandler } from "./api";
import { LightElement, errorView, loadingView, errorText } from "./base";
import { t, type MessageKey } from "./i18n";
import { interceptLinks, matchRoute, navigate, onRouteChange, safeNext, type Match, type RouteDef } from "./router";
import { session, type ToastKind } from "./session";
import type { Health, User } from "./types";
import { live } from "./ws";
import { CAMPED_WAITING_EVENT, campedWaitingFor, campedWaitingText, type CampedWaiting } from "./camp-on";

import "./pages/login";
import "./pages/setup";
import "./pages/dashboard";
import "./pages/users";
import "./pages/user-edit";
import "./pages/user-import";
import "./pages/groups";
import "./pages/numbers";
import "./pages/dialplan";
import "./pages/trunks";
import "./pages/group-edit";
import "./pages/plugins";
import "./pages/plugin-settings";
import "./pages/settings";
import "./pages/profile";
import "./pages/phones";
import "./pages/calls";
import "./pages/system";
import "./pages/prompts";
import "./pages/moh";
import "./pages/key-templates";
import "./pages/my-presence";
import "./pages/presence-settings";
import "./pages/schedules";
import "./pages/my-hours";
import "./pages/my-terminals";
import "./pages/routing";
import "./pages/my-rules";
import "./pages/contacts";
import "./pages/directory-admin";
import "./pages/rights";
import "./pages/feature-codes";
import "./pages/hunt-groups";
import "./pages/ivr";
import "./pages/call-flows";
import "./pages/group-inboxes";
import "./pages/flow-elements";
import "./pages/rule-numbers";
import "./pages/voicemail";

const ROUTES: RouteDef[] = [
  { name: "login", pattern: "/login" },
  { name: "setup", pattern: "/setup" },
  { name: "dashboard", pattern: "/" },
  { name: "users", pattern: "/users" },
  { name: "user-new", pattern: "/users/new" },
  { name: "user-import", pattern: "/users/import" },
  { name: "user", pattern: "/users/:id" },
  { name: "groups", pattern: "/groups" },
  { name: "numbers", pattern: "/numbers" },
  { name: "dialplan", pattern: "/dialplan" },
  { name: "trunks", pattern: "/trunks" },
  { name: "group", pattern: "/groups/:id" },
  { name: "plugins", pattern: "/plugins" },
  { name: "plugin", pattern: "/plugins/:domain" },
  { name: "settings", pattern: "/settings" },
  { name: "profile", pattern: "/profile" },
  { name: "calls", pattern: "/calls" },
  { name: "phones", pattern: "/phones" },
  { name: "phone-registrations", pattern: "/phones/registrations" },
  { name: "phone-provisioning", pattern: "/phones/provisioning" },
  { name: "my-calls", pattern: "/my-calls" },
  { name: "voicemail", pattern: "/voicemail" },
  { name: "system", pattern: "/system" },
  { name: "prompts", pattern: "/prompts" },
  { name: "moh", pattern: "/moh" },
  { name: "key-templates", pattern: "/key-templates" },
  { name: "presence", pattern: "/presence" },
  { name: "presence-settings", pattern: "/presence-settings" },
  { name: "schedules", pattern: "/schedules" },
  { name: "my-hours", pattern: "/my-hours" },
  { name: "my-terminals", pattern: "/my-terminals" },
  { name: "routing", pattern: "/routing" },
  { name: "my-rules", pattern: "/my-rules" },
  { name: "contacts", pattern: "/contacts" },
  { name: "directory", pattern: "/directory" },
  { name: "rights", pattern: "/rights" },
  { name: "feature-codes", pattern: "/feature-codes" },
  { name: "hunt-groups", pattern: "/hunt-groups" },
  { name: "ivr", pattern: "/ivr" },
  { name: "call-flows", pattern: "/call-flows" },
  { name: "group-inboxes", pattern: "/group-inboxes" },
  { name: "flow-elements", pattern: "/flow-elements" },
  { name: "rule-numbers", pattern: "/rule-numbers" },
];
const ADMIN_ROUTES = new Set([
  "dashboard",
  "users",
  "user-new",
  "user-import",
  "user",
  "groups",
  "numbers",
  "dialplan",
  "trunks",
  "group",
  "plugins",
  "plugin",
  "settings",
  "calls",
  "phones",
  "phone-registrations",
  "phone-provisioning",
  "system",
  "prompts",
  "moh",
  "key-templates",
  "presence-settings",
  "schedules",
  "routing",
  "directory",
  "rights",
  "hunt-groups",
  "ivr",
  "call-flows",
  "group-inboxes",
  "flow-elements",
  "rule-numbers",
]);
const TITLES: Record<string, MessageKey> = {
  login: "login.title",
  setup: "setup.title",
  dashboard: "dashboard.title",
  users: "users.title",
  "user-new": "user.newTitle",
  "user-import": "import.title",
  user: "nav.users",
  groups: "groups.title",
  numbers: "numbers.title",
  dialplan: "dialplan.title",
  trunks: "trunks.title",
  group: "nav.groups",
  plugins: "plugins.title",
  plugin: "plugins.title",
  settings: "settings.title",
  profile: "profile.title",
  calls: "calls.title",
  phones: "phones.title",
  "phone-registrations": "phones.tabRegistrations",
  "phone-provisioning": "phones.tabProvisioning",
  "my-calls": "calls.myTitle",
  voicemail: "voicemail.title",
  system: "system.title",
  prompts: "prompts.title",
  moh: "moh.title",
  "key-templates": "keys.title",
  presence: "presence.title",
  "presence-settings": "presenceAdmin.title",
  schedules: "sched.title",
  "my-hours": "myHours.title",
  "my-terminals": "terminals.title",
  routing: "routing.title",
  "my-rules": "myRules.title",
  contacts: "dir.contactsTitle",
  directory: "dir.adminTitle",
  rights: "rights.title",
  "feature-codes": "featureCodes.title",
  "hunt-groups": "huntGroups.title",
  ivr: "ivr.title",
  "call-flows": "flows.title",
  "group-inboxes": "groupInboxes.title",
  "flow-elements": "flowElements.title",
  "rule-numbers": "ruleNumbers.title",
};
const ADMIN_NAV: Array<[string, MessageKey, string]> = [
  ["/", "nav.dashboard", "dashboard"],
  ["/calls", "nav.calls", "calls"],
  ["/phones", "nav.phones", "phones"],
  ["/users", "nav.users", "users"],
  ["/groups", "nav.groups", "groups"],
  ["/rights", "nav.rights", "rights"],
  ["/feature-codes", "nav.featureCodes", "feature-codes"],
  ["/directory", "nav.directory", "directory"],
  ["/hunt-groups", "nav.huntGroups", "hunt-groups"],
  ["/ivr", "nav.ivr", "ivr"],
  ["/call-flows", "nav.callFlows", "call-flows"],
  ["/flow-elements", "nav.flowElements", "flow-elements"],
  ["/rule-numbers", "nav.ruleNumbers", "rule-numbers"],
  ["/group-inboxes", "nav.groupInboxes", "group-inboxes"],
  ["/numbers", "nav.numbers", "numbers"],
  ["/dialplan", "nav.dialplan", "dialplan"],
  ["/trunks", "nav.trunks", "trunks"],
  ["/plugins", "nav.plugins", "plugins"],
  ["/settings", "nav.settings", "settings"],
  ["/system", "nav.system", "system"],
  ["/prompts", "nav.prompts", "prompts"],
  ["/moh", "nav.moh", "moh"],
  ["/key-templates", "nav.keyTemplates", "key-templates"],
  ["/presence-settings", "nav.presenceSettings", "presence-settings"],
  ["/schedules", "nav.schedules", "schedules"],
  ["/routing", "nav.routing", "routing"],
];
const SECTION: Record<string, string> = {
  "user-new": "users",
  "user-import": "users",
  user: "users",
  group: "groups",
  plugin: "plugins",
  "phone-registrations": "phones",
  "phone-provisioning": "phones",
};

interface BusEvent {
  eventType: string;
  data: Record<string, unknown>;
}

interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}

@customElement("cb-app")
export class CbApp extends LightElement {
  @state() private ready = false;
  @state() private bootError = "";
  /** What /api/health says is wrong (a nearly full data disk…); shown to administrators. */
  @state() private problems: string[] = [];
  @state() private match: Match | null = null;
  @state() private menuOpen = false;
  @state() private toasts: Toast[] = [];
  @state() private connection = live.status;
  private needsSetup = false;
  private focusPending = false;
  private toastId = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    interceptLinks(this);
    onRouteChange(() => this.route());
    session.addEventListener("change", () => this.requestUpdate());
    live.addEventListener("status", () => (this.connection = live.status));
    live.addEventListener("unauthorized", () => this.expire());
    setUnauthorizedHandler(() => this.expire());
    window.addEventListener("cb-toast", (e) => this.addToast((e as CustomEvent<Omit<Toast, "id">>).detail));
    live.addEventListener("bus-event", (e) => this.onBusEvent(e as CustomEvent<BusEvent>));
    window.addEventListener("cb-logged-in", () => this.afterLogin());
    window.addEventListener("online", () => live.reconnectNow());
    void this.boot();
    // Disk space changes slowly: a look every five minutes is enough for the warning banner.
    window.setInterval(() => void this.checkHealth(), 5 * 60 * 1000);
  }

  private async checkHealth(): Promise<void> {
    try {
      this.problems = (await api.get<Health>("/api/health")).problems ?? [];
    } catch {
      // The connection indicator already tells when the appliance cannot be reached.
    }
  }

  private async boot(): Promise<void> {
    this.bootError = "";
    try {
      const health = await api.get<Health>("/api/health", { handle401: true });
      this.needsSetup = health.needs_setup;
      this.problems = health.problems ?? [];
      try {
        session.setUser(await api.get<User>("/api/auth/me", { handle401: true }));
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) throw err;
        session.setUser(null);
      }
    } catch (err) {
      this.bootError = errorText(err);
      return;
    }
    if (session.user) this.startSession();
    this.ready = true;
    this.route();
  }

  private startSession(): void {
    live.start();
    void session.loadOrgName();
  }

  /** After a log-in (or the setup wizard's first step): start the live connection. */
  private afterLogin(): void {
    this.needsSetup = false;
    this.startSession();
    void this.loadAdministers();
  }

  /** ROLE-04: the log-in's answer does not say which admin pages the user administers; /api/auth/me does. */
  private async loadAdministers(): Promise<void> {
    try {
      const me = await api.get<User>("/api/auth/me");
      if (session.user?.id !== me.id) return;
      session.setUser(me);
      // The page the log-in led to may only now be allowed: give its heading the focus.
      if (this.match && session.administers(this.match.name)) this.focusPending = true;
    } catch {
      // Without it the group administration pages stay hidden until the app is loaded again.
    }
  }

  private expire(): void {
    if (!session.user) return;
    session.setUser(null);
    live.stop();
    const here = location.pathname + location.search;
    navigate(`/login?expired=1&next=${encodeURIComponent(here)}`, { replace: true });
  }

  private async logout(): Promise<void> {
    try {
      await api.post("/api/auth/logout", {}, { handle401: true });
    } catch {
      // The session may already be gone; log out locally either way.
    }
    live.stop();
    session.setUser(null);
    navigate("/login", { replace: true });
  }

  private onBusEvent(event: CustomEvent<BusEvent>): void {
    const { eventType, data } = event.detail;
    const user = session.user;
    if (eventType !== CAMPED_WAITING_EVENT || !user) return;
    const camped = data as unknown as CampedWaiting;
    if (campedWaitingFor(camped, user.id)) this.addToast({ message: campedWaitingText(camped), kind: "info" });
  }

  private addToast(detail: Omit<Toast, "id">): void {
    const toast = { ...detail, id: ++this.toastId };
    this.toasts = [...this.toasts, toast];
    window.setTimeout(() => (this.toasts = this.toasts.filter((x) => x.id !== toast.id)), 6000);
  }

  private route(): void {
    if (!this.ready) return;
    const path = location.pathname;
    const match = matchRoute(ROUTES, path);
    const user = session.user;
    this.menuOpen = false;
    if (this.needsSetup && !user && match?.name !== "setup") {
      navigate(`/setup${location.search}`, { replace: true });
      return;
    }
    if (match?.name === "login" && user) {
      navigate(safeNext(new URLSearchParams(location.search).get("next")) ?? this.home(), { replace: true });
      return;
    }
    if (!user && match?.name !== "login" && match?.name !== "setup") {
      const next = path === "/" ? "" : `?next=${encodeURIComponent(path + location.search)}`;
      navigate(`/login${next}`, { replace: true });
      return;
    }
    if (match?.name === "dashboard" && user && user.role !== "admin") {
      navigate("/profile", { replace: true });
      return;
    }
    this.match = match;
    const titleKey = match ? TITLES[match.name] : undefined;
    document.title = `${titleKey ? t(titleKey) : t("error.notFound")} – ${t("app.name")}`;
    this.focusPending = true;
  }

  private home(): string {
    return session.isAdmin ? "/" : "/profile";
  }

  protected override async updated(): Promise<void> {
    if (!this.focusPending) return;
    this.focusPending = false;
    const page = this.querySelector("#main > *") as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
    await page?.updateComplete;
    const heading = this.querySelector<HTMLElement>("#main h1");
    heading?.focus({ preventScroll: true });
  }

  private page(): TemplateResult {
    const match = this.match;
    if (!match) return this.message(t("error.notFound"), t("error.notFoundText"));
    if (ADMIN_ROUTES.has(match.name) && !session.isAdmin && !session.administers(match.name)) {
      return this.message(t("error.forbidden"), t("error.forbiddenText"));
    }
    const p = match.params;
    switch (match.name) {
      case "dashboard":
        return html`<cb-dashboard></cb-dashboard>`;
      case "users":
        return html`<cb-users></cb-users>`;
      case "user-new":
        return html`<cb-user-edit></cb-user-edit>`;
      case "user-import":
        return html`<cb-user-import></cb-user-import>`;
      case "user":
        return html`<cb-user-edit .userId=${Number(p["id"])}></cb-user-edit>`;
      case "groups":
        return html`<cb-groups></cb-groups>`;
      case "numbers":
        return html`<cb-numbers></cb-numbers>`;
      case "dialplan":
        return html`<cb-dialplan></cb-dialplan>`;
      case "trunks":
        return html`<cb-trunks></cb-trunks>`;
      case "group":
        return html`<cb-group-edit .groupId=${Number(p["id"])}></cb-group-edit>`;
      case "plugins":
        return html`<cb-plugins></cb-plugins>`;
      case "plugin":
        return html`<cb-plugin-settings .domain=${p["domain"] ?? ""}></cb-plugin-settings>`;
      case "settings":
        return html`<cb-settings></cb-settings>`;
      case "profile":
        return html`<cb-profile></cb-profile>`;
      case "key-templates":
        return html`<cb-key-templates></cb-key-templates>`;
      case "presence":
        return html`<cb-my-presence></cb-my-presence>`;
      case "presence-settings":
        return html`<cb-presence-settings></cb-presence-settings>`;
      case "calls":
        return html`<cb-calls></cb-calls>`;
      case "phones":
      case "phone-registrations":
      case "phone-provisioning":
        // One element for the three tabs: switching tabs keeps the page, only its tab changes.
        return html`<cb-phones .tab=${match.name === "phones" ? "list" : match.name === "phone-registrations" ? "registrations" : "provisioning"}></cb-phones>`;
      case "my-calls":
        return html`<cb-my-calls></cb-my-calls>`;
      case "voicemail":
        return html`<cb-voicemail></cb-voicemail>`;
      case "system":
        return html`<cb-system></cb-system>`;
      case "prompts":
        return html`<cb-prompts></cb-prompts>`;
      case "moh":
        return html`<cb-moh></cb-moh>`;
      case "schedules":
        return html`<cb-schedules></cb-schedules>`;
      case "my-hours":
        return html`<cb-my-hours></cb-my-hours>`;
      case "my-terminals":
        return html`<cb-my-terminals></cb-my-terminals>`;
      case "routing":
        return html`<cb-routing></cb-routing>`;
      case "my-rules":
        return html`<cb-my-rules></cb-my-rules>`;
      case "contacts":
        return html`<cb-contacts></cb-contacts>`;
      case "directory":
        return html`<cb-directory></cb-directory>`;
      case "rights":
        return html`<cb-rights></cb-rights>`;
      case "feature-codes":
        return html`<cb-feature-codes></cb-feature-codes>`;
      case "hunt-groups":
        return html`<cb-hunt-groups></cb-hunt-groups>`;
      case "ivr":
        return html`<cb-ivr-menus></cb-ivr-menus>`;
      case "call-flows":
        return html`<cb-call-flows></cb-call-flows>`;
      case "group-inboxes":
        return html`<cb-group-inboxes></cb-group-inboxes>`;
      case "flow-elements":
        return html`<cb-flow-elements></cb-flow-elements>`;
      case "rule-numbers":
        return html`<cb-rule-numbers></cb-rule-numbers>`;
      default:
        return this.message(t("error.notFound"), t("error.notFoundText"));
    }
  }

  private message(title: string, text: string): TemplateResult {
    return html`<section class="page">
      <div class="page-head"><h1 tabindex="-1" class="page-title">${title}</h1></div>
      <p>${text}</p>
      <p><a class="button" href=${session.user ? this.home() : "/login"}>${t("error.toHome")}</a></p>
    </section>`;
  }

  private toastsView(): TemplateResult {
    return html`<div class="toasts" role="status" aria-live="polite">
      ${this.toasts.map((x) => html`<div class="toast ${x.kind}">${x.message}</div>`)}
    </div>`;
  }

  private connectionView(): TemplateResult {
    const key: MessageKey =
      this.connection === "connected" ? "app.live" : this.connection === "connecting" ? "app.connecting" : "app.reconnecting";
    return html`<span class="conn ${this.connection}" role="status" data-testid="connection"
      ><span class="dot" aria-hidden="true"></span><span class="conn-label">${t(key)}</span></span
    >`;
  }

  protected override render(): TemplateResult {
    if (this.bootError) {
      return html`<main id="main" class="bare"><section class="card narrow">
        <h1 tabindex="-1">${t("app.name")}</h1>${errorView(this.bootError, () => void this.boot())}</section></main>`;
    }
    if (!this.ready) return html`<main id="main" class="bare">${loadingView()}</main>${this.toastsView()}`;
    const name = this.match?.name;
    if (name === "login" || name === "setup" || !session.user) {
      return html`<main id="main" class="bare">
          ${name === "setup" ? html`<cb-setup></cb-setup>` : html`<cb-login></cb-login>`}
        </main>
        ${this.toastsView()}`;
    }
    return this.shell();
  }

  private shell(): TemplateResult {
    const user = session.user!;
    const section = this.match ? (SECTION[this.match.name] ?? this.match.name) : "";
    const link = (href: string, key: MessageKey, id: string) =>
      html`<li><a href=${href} aria-current=${section === id ? "page" : nothing}>${t(key)}</a></li>`;
    const administered = ADMIN_NAV.filter(([, , id]) => session.administers(id));
    return html`<a class="skip" href="#main" @click=${(e: Event) => {
        e.preventDefault();
        this.querySelector<HTMLElement>("#main h1")?.focus();
      }}>${t("app.skip")}</a>
      <div class="layout ${this.menuOpen ? "menu-open" : ""}">
        <header class="topbar">
          <button
            type="button"
            class="menu-button"
            aria-expanded=${this.menuOpen ? "true" : "false"}
            aria-controls="nav"
            @click=${() => (this.menuOpen = !this.menuOpen)}
          >
            <span aria-hidden="true">☰</span> <span class="menu-label">${t("app.menu")}</span>
          </button>
          <a class="brand" href=${this.home()}>
            <span class="logo" aria-hidden="true">◆</span>
            <span>${session.orgName || t("app.name")}</span>
          </a>
          <div class="topbar-right">
            ${this.connectionView()}
            <span class="who">${t("app.loggedInAs", { name: user.username })}</span>
            <button type="button" class="secondary small" @click=${() => void this.logout()}>${t("app.logout")}</button>
          </div>
        </header>
        <nav id="nav" class="sidebar" aria-label=${t("app.mainNav")}>
          ${session.isAdmin
            ? html`<h2 class="nav-title">${t("nav.admin")}</h2>
                <ul>
                  ${ADMIN_NAV.map(([href, key, id]) => link(href, key, id))}
                </ul>`
            : nothing}
          ${administered.length
            ? html`<h2 class="nav-title">${t("nav.groupAdmin")}</h2>
                <ul data-testid="nav-group-admin">
                  ${administered.map(([href, key, id]) => link(href, key, id))}
                </ul>`
            : nothing}
          <h2 class="nav-title">${t("nav.portal")}</h2>
          <ul>
            ${link("/my-calls", "nav.myCalls", "my-calls")}
            ${link("/voicemail", "nav.voicemail", "voicemail")}
            ${link("/contacts", "nav.contacts", "contacts")}
            ${link("/profile", "nav.profile", "profile")}
            ${link("/presence", "nav.presence", "presence")}
            ${link("/my-hours", "nav.myHours", "my-hours")}
            ${link("/my-terminals", "nav.myTerminals", "my-terminals")}
            ${link("/my-rules", "nav.myRules", "my-rules")}
            <!-- Administrators find Feature codes under Administration, where they also change them. -->
            ${session.isAdmin ? nothing : link("/feature-codes", "nav.featureCodes", "feature-codes")}
          </ul>
        </nav>
        <main id="main" class="content">
          ${session.isAdmin && this.problems.length
            ? html`<div class="notice bad" role="alert" data-testid="health-problems">
                <strong>${t("app.problems")}</strong>
                <ul>${this.problems.map((problem) => html`<li>${problem}</li>`)}</ul>
              </div>`
            : nothing}
          ${this.page()}
        </main>
      </div>
      ${this.toastsView()}`;
  }
}

/**
 * Admin: the SIP trunks to providers (BYD-01..03). Each trunk with its registration state live from
 * its `trunk.<name>` state over the WebSocket (registered, failed with the last error, unregistered;
 * IP trunks up or down), a form to add or change one (the password is write-only: left empty it
 * stays as stored), and the outbound routes (a number prefix -> the trunks it tries, in order),
 * added, changed ("Edit" fills the route form) and deleted.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { confirmDialog } from "../dialog";
import { checkboxField, focusWhenRendered, formError, selectField, sendForm, textField } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";
import { EMPTY, TRUNK_STATE_KEYS, draftBody, draftOf, splitList, trunkState, type Draft, type OutboundRoute, type Trunk } from "../trunks";
import { live } from "../ws";

type Errors = Record<string, string | null | undefined>;

@customElement("cb-trunks")
export class CbTrunks extends LightElement {
  @state() private trunks: Trunk[] | null = null;
  @state() private routes: OutboundRoute[] = [];
  @state() private loadError = "";
  @state() private draft: Draft | null = null;
  @state() private editing: number | null = null;
  // The trunk form's sending state, set by sendForm (its Save button stays enabled while it sends).
  @state() errors: Errors = {};
  @state() error = "";
  @state() busy = false;
  @state() private routeDraft = { prefix: "", numberType: "", trunks: "" };
  @state() private routeErrors: Errors = {};
  @state() private routeError = "";
  /** The outbound route the route form changes; null while it adds one. */
  @state() private editingRoute: OutboundRoute | null = null;
  private readonly onStates = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener("states", this.onStates);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener("states", this.onStates);
  }

  private async load(): Promise<void> {
    try {
      [this.trunks, this.routes] = await Promise.all([
        api.get<Trunk[]>("/api/trunks"),
        api.get<OutboundRoute[]>("/api/trunks/routes"),
      ]);
      this.loadError = "";
    } catch (err) {
      this.loadError = errorText(err);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const draft = this.draft;
    if (!draft) return;
    const editing = this.editing;
    await sendForm(this, async () => {
      const body = draftBody(draft, editing === null);
      if (editing === null) await api.post<Trunk>("/api/trunks", body);
      else await api.patch<Trunk>(`/api/trunks/${editing}`, body);
      toast(t("trunks.saved"));
      this.draft = null;
      this.editing = null;
      this.errors = {};
      await this.load();
    });
  }

  private async removeTrunk(trunk: Trunk): Promise<void> {
    if (!(await confirmDialog(t("trunks.confirmDelete", { name: trunk.name }), t("common.delete")))) return;
    try {
      await api.delete(`/api/trunks/${trunk.id}`);
      await this.load();
    } catch (err) {
      toast(errorText(err));
    }
  }

  private async addRoute(e: Event): Promise<void> {
    e.preventDefault();
    const editing = this.editingRoute;
    const body = {
      prefix: this.routeDraft.prefix.trim(),
      number_type: this.routeDraft.numberType.trim(),
      trunks: splitList(this.routeDraft.trunks),
    };
    // The route form's messages are its own (the page's errors and error are the trunk form's); it
    // shows no busy state.
    await sendForm(
      this,
      async () => {
        if (editing) {
          await api.put(`/api/trunks/routes/${editing.id}`, body);
          toast(t("adminEdits.routeSaved"));
          await this.load();
          this.stopEditingRoute();
          return;
        }
        await api.post("/api/trunks/routes", body);
        this.routeDraft = { prefix: "", numberType: "", trunks: "" };
        this.routeErrors = {};
        await this.load();
      },
      this.querySelector("#route-form") ?? this,
      { error: (message) => (this.routeError = message), errors: (errors) => (this.routeErrors = errors) },
    );
  }

  /** BYD-03: Edit fills the route form with the route; the focus goes to its prefix. */
  private editRoute(route: OutboundRoute): void {
    this.editingRoute = route;
    this.routeDraft = { prefix: route.prefix, numberType: route.number_type, trunks: route.trunks.join(", ") };
    this.routeErrors = {};
    this.routeError = "";
    void focusWhenRendered(this, "#route-prefix");
  }

  private stopEditingRoute(): void {
    const was = this.editingRoute;
    this.editingRoute = null;
    this.routeDraft = { prefix: "", numberType: "", trunks: "" };
    this.routeErrors = {};
    this.routeError = "";
    if (was) void focusWhenRendered(this, `#route-edit-${was.id}`);
  }

  private async removeRoute(route: OutboundRoute): Promise<void> {
    try {
      await api.delete(`/api/trunks/routes/${route.id}`);
      if (this.editingRoute?.id === route.id) this.stopEditingRoute();
      await this.load();
    } catch (err) {
      toast(errorText(err));
    }
  }

  private set(key: string, value: string | boolean): void {
    if (this.draft) this.draft = { ...this.draft, [key]: value };
  }

  private text(key: string, label: MessageKey, hint?: MessageKey, type = "text"): TemplateResult {
    return textField({
      id: `trunk-${key}`,
      label: t(label),
      value: String(this.draft?.[key] ?? ""),
      type,
      error: this.errors[key],
      hint: hint ? t(hint) : undefined,
      onInput: (v) => this.set(key, v),
    });
  }

  private form(): TemplateResult {
    const d = this.draft;
    if (!d) return html``;
    const creating = this.editing === null;
    const register = d["kind"] === "register";
    return html`<form class="card" data-testid="trunk-form" @submit=${(e: Event) => void this.save(e)} novalidate>
      <h2>${creating ? t("trunks.new") : t("trunks.edit", { name: String(d["name"]) })}</h2>
      ${formError(this.error)}
      ${creating ? this.text("name", "trunks.name", "trunks.nameHint") : nothing}
      ${selectField({
        id: "trunk-kind",
        label: t("trunks.kind"),
        value: String(d["kind"]),
        options: [
          ["register", t("trunks.kindRegister")],
          ["ip", t("trunks.kindIp")],
        ],
        onInput: (v) => this.set("kind", v),
      })}
      ${this.text("host", "trunks.host")} ${this.text("port", "trunks.port", undefined, "number")}
      ${selectField({
        id: "trunk-transport",
        label: t("trunks.transport"),
        value: String(d["transport"]),
        options: [
          ["udp", "UDP"],
          ["tcp", "TCP"],
          ["tls", "TLS"],
        ],
        onInput: (v) => this.set("transport", v),
      })}
      ${register
        ? html`${this.text("username", "trunks.username")} ${this.text("auth_username", "trunks.authUsername", "trunks.authUsernameHint")}
          ${this.text("password", "trunks.password", creating ? undefined : "trunks.passwordHint", "password")}
          ${this.text("expires", "trunks.expires", undefined, "number")}`
        : html`${this.text("addresses", "trunks.addresses", "trunks.addressesHint")}`}
      ${this.text("outbound_proxy", "trunks.outboundProxy")} ${this.text("from_domain", "trunks.fromDomain")}
      ${this.text("caller_ids", "trunks.callerIds", "trunks.callerIdsHint")} ${this.text("default_caller_id", "trunks.defaultCallerId")}
      ${checkboxField({ id: "trunk-anonymous", label: t("trunks.allowAnonymous"), checked: Boolean(d["allow_anonymous"]), onChange: (v) => this.set("allow_anonymous", v) })}
      ${selectField({
        id: "trunk-called-from",
        label: t("trunks.calledFrom"),
        value: String(d["called_from"]),
        options: [
          ["request_uri", "Request-URI"],
          ["to", "To"],
          ["p_called_party_id", "P-Called-Party-ID"],
        ],
        onInput: (v) => this.set("called_from", v),
      })}
      ${this.text("default_destination", "trunks.defaultDestination", "trunks.defaultDestinationHint")}
      ${this.text("country_code", "trunks.countryCode")} ${this.text("national_prefix", "trunks.nationalPrefix")}
      ${this.text("priority", "trunks.priority", "trunks.priorityHint", "number")}
      ${checkboxField({ id: "trunk-enabled", label: t("trunks.enabled"), checked: Boolean(d["enabled"]), onChange: (v) => this.set("enabled", v) })}
      <div class="actions">
        <button type="submit" data-testid="trunk-save">${t("common.save")}</button>
        <button type="button" class="secondary" @click=${() => ((this.draft = null), (this.errors = {}), (this.error = ""))}>${t("common.cancel")}</button>
      </div>
    </form>`;
  }

  private row(trunk: Trunk): TemplateResult {
    const { state: current, error } = trunkState(trunk, live.states);
    const key = TRUNK_STATE_KEYS[current];
    return html`<tr data-testid="trunk" data-trunk=${trunk.name}>
      <td data-label=${t("trunks.name")}>${trunk.name}</td>
      <td data-label=${t("trunks.kind")}>${trunk.kind === "ip" ? t("trunks.kindIp") : t("trunks.kindRegister")}</td>
      <td data-label=${t("trunks.host")}><code>${trunk.host}:${trunk.port}</code></td>
      <td data-label=${t("trunks.priority")}>${trunk.priority}</td>
      <td data-label=${t("trunks.state")} data-testid="trunk-state" data-state=${current}>
        ${trunk.enabled ? (key ? t(key) : current) : t("trunks.disabled")}
        ${error ? html`<div class="muted" data-testid="trunk-error">${error}</div>` : nothing}
      </td>
      <td class="actions">
        <button type="button" class="secondary" @click=${() => ((this.editing = trunk.id), (this.draft = draftOf(trunk)), (this.errors = {}))}>
          ${t("common.edit")}
        </button>
        <button type="button" class="danger" @click=${() => void this.removeTrunk(trunk)}>${t("common.delete")}</button>
      </td>
    </tr>`;
  }

  private routeName(r: OutboundRoute): string {
    return r.number_type ? t("trunks.routeType", { type: r.number_type }) : r.prefix;
  }

  private routesCard(): TemplateResult {
    const editing = this.editingRoute;
    return html`<section class="card" data-testid="outbound-routes">
      <h2>${t("trunks.routes")}</h2>
      <p class="muted">${t("trunks.routesIntro")}</p>
      ${this.routes.length
        ? html`<ul>
            ${this.routes.map(
              (r) => html`<li data-testid="route">
                ${r.number_type ? html`${t("trunks.routeType", { type: r.number_type })}` : html`<code>${r.prefix}</code>`} → ${r.trunks.join(", ")}
                <button type="button" id="route-edit-${r.id}" class="secondary"
                  aria-label=${t("adminEdits.editRoute", { name: this.routeName(r) })} @click=${() => this.editRoute(r)}>${t("common.edit")}</button>
                <button type="button" class="secondary" @click=${() => void this.removeRoute(r)}>${t("common.delete")}</button>
              </li>`,
            )}
          </ul>`
        : html`<p class="empty">${t("trunks.noRoutes")}</p>`}
      <form id="route-form" data-testid="route-form" @submit=${(e: Event) => void this.addRoute(e)} novalidate
        aria-label=${editing ? t("adminEdits.editRouteTitle", { name: this.routeName(editing) }) : t("trunks.addRoute")}>
        ${editing ? html`<h3>${t("adminEdits.editRouteTitle", { name: this.routeName(editing) })}</h3>` : nothing}
        ${formError(this.routeError, "route-error")}
        ${textField({ id: "route-prefix", label: t("trunks.routePrefix"), value: this.routeDraft.prefix, error: this.routeErrors["prefix"], onInput: (v) => (this.routeDraft = { ...this.routeDraft, prefix: v }) })}
        ${textField({ id: "route-type", label: t("trunks.routeNumberType"), value: this.routeDraft.numberType, error: this.routeErrors["number_type"], hint: t("trunks.routeNumberTypeHint"), onInput: (v) => (this.routeDraft = { ...this.routeDraft, numberType: v }) })}
        ${textField({ id: "route-trunks", label: t("trunks.routeTrunks"), value: this.routeDraft.trunks, error: this.routeErrors["trunks"], hint: t("trunks.routeTrunksHint"), onInput: (v) => (this.routeDraft = { ...this.routeDraft, trunks: v }) })}
        <div class="actions start">
          <button type="submit">${editing ? t("adminEdits.saveRoute") : t("trunks.addRoute")}</button>
          ${editing ? html`<button type="button" class="secondary" @click=${() => this.stopEditingRoute()}>${t("common.cancel")}</button>` : nothing}
        </div>
      </form>
    </section>`;
  }

  protected override render(): TemplateResult {
    const head = pageHeading(
      t("trunks.title"),
      html`<button type="button" data-testid="trunk-new" @click=${() => ((this.editing = null), (this.draft = { ...EMPTY }), (this.errors = {}))}>
        ${t("trunks.new")}
      </button>`,
    );
    if (this.loadError) return html`<section class="page">${head}${errorView(this.loadError, () => void this.load())}</section>`;
    if (this.trunks === null) return html`<section class="page">${head}${loadingView()}</section>`;
    return html`<section class="page">
      ${head}
      <p class="muted">${t("trunks.intro")}</p>
      ${this.form()}
      ${this.trunks.length
        ? html`<div class="table-wrap">
            <table class="data responsive" data-testid="trunks">
              <caption class="sr-only">${t("trunks.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">${t("trunks.name")}</th>
                  <th scope="col">${t("trunks.kind")}</th>
                  <th scope="col">${t("trunks.host")}</th>
                  <th scope="col">${t("trunks.priority")}</th>
                  <th scope="col">${t("trunks.state")}</th>
                  <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.trunks.map((trunk) => this.row(trunk))}
              </tbody>
            </table>
          </div>`
        : html`<p class="empty">${t("trunks.empty")}</p>`}
      ${this.routesCard()}
    </section>`;
  }
}

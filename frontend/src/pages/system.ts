/** System: the running version and root slot, and a system update uploaded from here (BYD-20). */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { LightElement, errorText, errorView, loadingView, pageHeading } from "../base";
import { formError } from "../forms";
import { t, type MessageKey } from "../i18n";
import { toast } from "../session";

export interface UpdateState {
  state: "none" | "ready" | "applying" | "applied-waiting-for-reboot" | "failed";
  reason: string | null;
  version: string;
  appliance: boolean;
  note: string | null;
  running_slot: string | null;
  default_slot: string | null;
  trial_slot: string | null;
  ready: { sha256: string; size: number; version?: string } | null;
  last: { state: string; message?: string } | null;
  max_bytes: number;
}

const STATE_KEYS: Record<UpdateState["state"], MessageKey> = {
  none: "system.state.none",
  ready: "system.state.ready",
  applying: "system.state.applying",
  "applied-waiting-for-reboot": "system.state.applied",
  failed: "system.state.failed",
};

interface UploadError {
  error?: { message?: string };
}

/** POST the form with XMLHttpRequest: fetch() cannot report upload progress. */
function upload(form: FormData, onProgress: (fraction: number) => void): Promise<UpdateState> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/system/update");
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as UpdateState);
      else reject(new Error((data as UploadError | null)?.error?.message || `HTTP ${xhr.status}`));
    });
    xhr.addEventListener("error", () => reject(new Error(t("common.networkError"))));
    xhr.send(form);
  });
}

@customElement("cb-system")
export class CbSystem extends LightElement {
  @state() private info: UpdateState | null = null;
  @state() private loadError = "";
  @state() private uploadError = "";
  @state() private progress: number | null = null;
  private timer = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    // While an update is applied the appliance goes away and comes back: look again now and then.
    this.timer = window.setInterval(() => void this.load(true), 5000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.timer);
  }

  private async load(quiet = false): Promise<void> {
    if (!quiet) this.loadError = "";
    try {
      this.info = await api.get<UpdateState>("/api/system/update");
      this.loadError = "";
    } catch (err) {
      if (!quiet || !this.info) this.loadError = errorText(err);
    }
  }

  private readonly submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const formEl = e.target as HTMLFormElement;
    const file = formEl.querySelector<HTMLInputElement>("#update-file")?.files?.[0];
    const sha = formEl.querySelector<HTMLInputElement>("#update-sha256")?.value.trim() ?? "";
    if (!file) {
      this.uploadError = t("system.needFile");
      return;
    }
    if (!/^[0-9a-fA-F]{64}(\s|$)/.test(sha)) {
      this.uploadError = t("system.needSha");
      return;
    }
    this.uploadError = "";
    const form = new FormData();
    form.append("sha256", sha);
    const signature = formEl.querySelector<HTMLInputElement>("#update-signature")?.files?.[0];
    if (signature) form.append("signature", signature, signature.name);
    form.append("file", file, file.name);
    this.progress = 0;
    try {
      this.info = await upload(form, (fraction) => (this.progress = fraction));
      toast(t("system.uploaded"));
      formEl.reset();
    } catch (err) {
      this.uploadError = err instanceof Error ? err.message : t("common.loadFailed");
    } finally {
      this.progress = null;
    }
  };

  private async discard(): Promise<void> {
    try {
      this.info = await api.delete<UpdateState>("/api/system/update");
      toast(t("system.discarded"));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  private statusView(info: UpdateState): TemplateResult {
    const slot = (s: string | null) => (s ? s.toUpperCase() : "—");
    const badge = info.state === "failed" ? "bad" : info.state === "none" ? "off" : "warn";
    return html`<section class="card" aria-labelledby="system-status-title">
      <h2 id="system-status-title">${t("system.statusTitle")}</h2>
      <dl class="facts">
        <div><dt>${t("system.version")}</dt><dd data-testid="system-version">${info.version}</dd></div>
        <div>
          <dt>${t("system.runningSlot")}</dt>
          <dd data-testid="system-running-slot">${info.appliance ? slot(info.running_slot) : t("system.notAppliance")}</dd>
        </div>
        ${info.appliance ? html`<div><dt>${t("system.defaultSlot")}</dt><dd>${slot(info.default_slot)}</dd></div>` : nothing}
        <div>
          <dt>${t("system.update")}</dt>
          <dd><span class="badge ${badge}" data-testid="system-update-state">${t(STATE_KEYS[info.state] ?? "system.state.none")}</span></dd>
        </div>
      </dl>
      ${info.state === "failed" && info.reason
        ? html`<p class="notice bad" data-testid="system-update-reason">${info.reason}</p>`
        : nothing}
      ${info.state === "ready" && !info.appliance ? html`<p class="notice warn">${t("system.readyNotAppliance")}</p>` : nothing}
      ${info.state === "ready"
        ? html`<div class="actions start">
            <button type="button" class="secondary" @click=${() => void this.discard()}>${t("system.discard")}</button>
          </div>`
        : nothing}
      ${info.state === "ready" && info.ready?.version
        ? html`<p class="muted">${t("system.readyVersion", { version: info.ready.version })}</p>`
        : nothing}
    </section>`;
  }

  private formView(info: UpdateState): TemplateResult {
    const busy = this.progress !== null;
    const blocked = info.state === "ready" || info.state === "applying";
    return html`<form class="card" novalidate @submit=${this.submit} aria-labelledby="system-upload-title">
      <h2 id="system-upload-title">${t("system.uploadTitle")}</h2>
      <p>${t("system.explain")}</p>
      <p class="muted">${t("system.explainFallback")}</p>
      ${formError(this.uploadError, "update-error")}
      <div class="field">
        <label for="update-file">${t("system.file")}</label>
        <input id="update-file" type="file" accept=".zst" ?disabled=${busy || blocked} />
      </div>
      <div class="field">
        <label for="update-sha256">${t("system.sha256")}</label>
        <input id="update-sha256" type="text" autocomplete="off" spellcheck="false" ?disabled=${busy || blocked}
          placeholder="${t("system.sha256Hint")}" />
      </div>
      <div class="field">
        <label for="update-signature">${t("system.signature")}</label>
        <input id="update-signature" type="file" accept=".sig" ?disabled=${busy || blocked} />
        <p class="muted">${t("system.signatureHint")}</p>
      </div>
      ${busy
        ? html`<div class="field">
            <label for="update-progress">${t("system.uploading")}</label>
            <progress id="update-progress" max="1" .value=${this.progress ?? 0}>${Math.round((this.progress ?? 0) * 100)} %</progress>
          </div>`
        : nothing}
      <div class="actions start"><button type="submit" ?disabled=${busy || blocked}>${t("system.upload")}</button></div>
    </form>`;
  }

  protected override render(): TemplateResult {
    let body: TemplateResult;
    if (this.loadError && !this.info) body = errorView(this.loadError, () => void this.load());
    else if (!this.info) body = loadingView();
    else body = html`${this.statusView(this.info)}${this.formView(this.info)}`;
    return html`<section class="page">${pageHeading(t("system.title"))}${body}</section>`;
  }
}

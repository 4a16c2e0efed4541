/** Accessible form field templates: every input has a label, a hint and an error linked by aria-describedby. */
import { html, nothing, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { live } from "lit/directives/live.js";
import { errorText, fieldErrors } from "./base";

export interface FieldOptions {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  required?: boolean;
  error?: string | null | undefined;
  hint?: string | undefined;
  autocomplete?: string;
  inputmode?: string;
  min?: number | undefined;
  max?: number | undefined;
  step?: string;
  disabled?: boolean;
  placeholder?: string | undefined;
  list?: string;
  onBlur?: () => void;
}

function describedBy(o: { id: string; error?: string | null | undefined; hint?: string | undefined }): string | undefined {
  const ids = [o.hint && o.hint !== o.error ? `${o.id}-hint` : "", o.error ? `${o.id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** Required fields get a star (and aria-required on the input); optional ones no marker. */
function labelText(label: string, required: boolean | undefined): TemplateResult {
  return html`${label}${required ? html`<span class="req" aria-hidden="true"> *</span>` : nothing}`;
}

function messages(o: { id: string; error?: string | null | undefined; hint?: string | undefined }): TemplateResult {
  // A hint that says the same as the error is not repeated.
  const hint = o.hint && o.hint !== o.error ? o.hint : undefined;
  return html`${hint ? html`<div class="hint" id="${o.id}-hint">${hint}</div>` : nothing}
    <div class="field-error" id="${o.id}-error" aria-live="polite">${o.error ?? ""}</div>`;
}

export function textField(o: FieldOptions): TemplateResult {
  return html`<div class="field ${o.error ? "has-error" : ""}">
    <label for=${o.id}>${labelText(o.label, o.required)}</label>
    <input
      id=${o.id}
      name=${o.id}
      type=${o.type ?? "text"}
      .value=${live(o.value)}
      ?required=${o.required}
      ?disabled=${o.disabled}
      aria-required=${o.required ? "true" : "false"}
      aria-invalid=${o.error ? "true" : "false"}
      aria-describedby=${ifDefined(describedBy(o))}
      autocomplete=${ifDefined(o.autocomplete)}
      inputmode=${ifDefined(o.inputmode)}
      min=${ifDefined(o.min)}
      max=${ifDefined(o.max)}
      step=${ifDefined(o.step)}
      list=${ifDefined(o.list)}
      placeholder=${ifDefined(o.placeholder)}
      @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
      @blur=${() => o.onBlur?.()}
    />
    ${messages(o)}
  </div>`;
}

export interface SelectOptions extends Omit<FieldOptions, "type" | "inputmode" | "min" | "max" | "step"> {
  options: Array<[string, string]>;
}

export function selectField(o: SelectOptions): TemplateResult {
  return html`<div class="field ${o.error ? "has-error" : ""}">
    <label for=${o.id}>${labelText(o.label, o.required)}</label>
    <select
      id=${o.id}
      name=${o.id}
      ?required=${o.required}
      ?disabled=${o.disabled}
      aria-invalid=${o.error ? "true" : "false"}
      aria-describedby=${ifDefined(describedBy(o))}
      @change=${(e: Event) => o.onInput((e.target as HTMLSelectElement).value)}
    >
      ${o.options.map(([value, label]) => html`<option value=${value} ?selected=${value === o.value}>${label}</option>`)}
    </select>
    ${messages(o)}
  </div>`;
}

export interface CheckboxOptions {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string | undefined;
  error?: string | null | undefined;
  disabled?: boolean;
}

export function checkboxField(o: CheckboxOptions): TemplateResult {
  return html`<div class="field checkbox ${o.error ? "has-error" : ""}">
    <input
      type="checkbox"
      id=${o.id}
      name=${o.id}
      .checked=${live(o.checked)}
      ?disabled=${o.disabled}
      aria-describedby=${ifDefined(describedBy(o))}
      @change=${(e: Event) => o.onChange((e.target as HTMLInputElement).checked)}
    />
    <label for=${o.id}>${o.label}</label>
    ${messages(o)}
  </div>`;
}

/** The form-level error box; focus it after a failed submit so screen readers read it. */
export function formError(message: string | null | undefined, id = "form-error"): TemplateResult {
  return html`<div class="form-error" id=${id} role="alert" tabindex="-1" ?hidden=${!message}>${message ?? ""}</div>`;
}

/** Resolves once the Lit element that renders `node` (the node itself or its nearest Lit ancestor)
 * has rendered the changes made so far. */
async function rendered(node: ParentNode): Promise<void> {
  for (let at: Node | null = node as Node; at; at = at.parentNode ?? (at as ShadowRoot).host ?? null) {
    if ("updateComplete" in at) {
      await (at as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      return;
    }
  }
}

/** Focus what `selector` finds in `root` as soon as the pending changes are rendered: in the same
 * task as the click or response that asked for it, not on a later animation frame, so that keys
 * typed straight after the click land in the field that got the focus and not in whichever field
 * the focus jumps to halfway through the typing. */
export async function focusWhenRendered(root: ParentNode, selector: string): Promise<void> {
  await rendered(root);
  root.querySelector<HTMLElement>(selector)?.focus();
}

/** A field that appears above the one that took the focus (its choices came late): it takes the
 * focus while the person has not started on the form (still on ``first``, with nothing in it). */
export function focusLateField(root: ParentNode, late: string, first: string): void {
  const active = document.activeElement;
  const field = root.querySelector<HTMLInputElement>(first);
  const untouched = active === document.body || (active === field && !field?.value);
  if (untouched) void focusWhenRendered(root, late);
}

export function focusFirstError(root: ParentNode): void {
  void rendered(root).then(() => {
    const invalid = root.querySelector<HTMLElement>('[aria-invalid="true"]');
    const box = root.querySelector<HTMLElement>(".form-error:not([hidden])");
    (invalid ?? box)?.focus();
  });
}

type Errors = Record<string, string | null | undefined>;

/** A form page's sending state: ``busy`` while a request runs, and after the API refused it, its
 * message (``error``, shown by ``formError``) and the messages next to the fields (``errors``). */
export interface FormHost extends HTMLElement {
  busy: boolean;
  error: string;
  errors: Errors;
}

/** Where a form keeps its sending state when it is not the host's ``busy``, ``error`` and ``errors``
 * (those of the page's other form): each is set through its setter. A form that shows no busy
 * state leaves ``busy`` out. */
export interface FormSetters {
  busy?: (on: boolean) => void;
  error: (message: string) => void;
  errors: (errors: Errors) => void;
}

function hostSetters(host: FormHost): FormSetters {
  return {
    busy: (on) => (host.busy = on),
    error: (message) => (host.error = message),
    errors: (errors) => (host.errors = errors),
  };
}

/** Send a form's request: busy meanwhile; when the API refuses, its field errors and message are
 * shown and the first invalid field (else the message) in ``focusIn`` takes the focus. True when
 * it was sent. The state goes to the host's properties, or through ``set`` for a form that keeps
 * it elsewhere. */
export async function sendForm(
  host: FormHost,
  send: () => Promise<void>,
  focusIn: ParentNode = host,
  set: FormSetters = hostSetters(host),
): Promise<boolean> {
  set.busy?.(true);
  set.error("");
  try {
    await send();
    return true;
  } catch (err) {
    set.errors(fieldErrors(err));
    set.error(errorText(err));
    focusFirstError(focusIn);
    return false;
  } finally {
    set.busy?.(false);
  }
}

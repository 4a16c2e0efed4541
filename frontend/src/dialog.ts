/** A modal confirmation built on <dialog>: focus moves into it, Escape cancels, focus returns after. */
import { html, render } from "lit";
import { t } from "./i18n";

export function confirmDialog(message: string, confirmLabel: string, danger = true): Promise<boolean> {
  return new Promise((resolve) => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-text");
    document.body.append(dialog);
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(answer);
    };
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      close(false);
    });
    render(
      html`<p id="confirm-text">${message}</p>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => close(false)}>${t("common.cancel")}</button>
          <button type="button" class=${danger ? "danger" : ""} @click=${() => close(true)}>${confirmLabel}</button>
        </div>`,
      dialog,
    );
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>("button.secondary")?.focus();
  });
}

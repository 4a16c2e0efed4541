/** The firmware URLs per phone model (issue 9): their shape and the checks the browser makes
 * before saving (the API makes them too and names a bad field `entries.<row>.<field>`). */
import { t } from "./i18n";

export interface FirmwareEntry {
  vendor: string;
  model: string;
  url: string;
}

/** GET and PUT /api/provisioning/firmware. */
export interface FirmwareUrls {
  entries: FirmwareEntry[];
  vendors: string[];
}

const FIRMWARE_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;

/** A model in every row, an http:// or https:// URL with a host, no vendor and model twice;
 * the errors by field name (`entries.<row>.model`, `entries.<row>.url`). */
export function firmwareErrors(entries: FirmwareEntry[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  entries.forEach((entry, row) => {
    const model = entry.model.trim().replace(/\s+/g, " ").toLowerCase();
    if (!model) errors[`entries.${row}.model`] = t("validation.required");
    else if (seen.has(`${entry.vendor}/${model}`)) errors[`entries.${row}.model`] = t("firmware.twice");
    seen.add(`${entry.vendor}/${model}`);
    if (!FIRMWARE_URL.test(entry.url.trim())) errors[`entries.${row}.url`] = t("firmware.urlRule");
  });
  return errors;
}

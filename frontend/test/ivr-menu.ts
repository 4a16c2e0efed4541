import type { IvrMenu } from "../src/ivr";

/** An IVR menu as the API returns it: one option, defaults elsewhere; tests override what they check. */
export function ivrMenu(overrides: Partial<IvrMenu> = {}): IvrMenu {
  return {
    id: 1,
    name: "Main",
    number: "1600",
    language: null,
    welcome_prompt: "please_hold",
    options: { "1": { kind: "number", target: "1560" } },
    direct_dial: false,
    timeout_s: 5,
    retries: 2,
    invalid_prompt: "invalid_option",
    timeout_destination: null,
    exclude_from_search: false,
    display_text: "",
    keep_derived_metadata: false,
    blocking_groups: [],
    schedule_id: null,
    ...overrides,
  };
}

/**
 * Rule-based numbers (admin, RBN-01..05): numbers no phone rings for — a call to one goes wherever
 * the organisation's "Rules for rule-based numbers" on the Routing page send it (the page says so
 * and links there). The list shows each number's name, number, info text, prompt language and
 * options; "New rule-based number" and "Edit" open the form: name, number (1700-1799 or a public
 * E.164 number), the info text shown on the receiving phone and whether forwarded info set earlier
 * in the call overrides it (RBN-02), the prompt language for callers who are not users (RBN-03),
 * whether the number is shown as the caller when the original caller's cannot be (RBN-04), and the
 * dial plan's blocking groups that limit the outside numbers its calls go to (RBN-05, BAR-04). The
 * form checks what it can; the server decides the rest (the number range, a number someone else
 * has ...), shown next to the fields. Deleting asks first. A call flow's Edit link opens a number's
 * form (`?edit=<number>`, CrudPage).
 *
 * The API's shapes and the pure helpers (draft ↔ entry, the checks) are exported for the unit tests.
 */
import { html, nothing, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { api } from "../api";
import { blockingGroupsField } from "../components/blocking-groups";
import { CrudPage, toggled, type Column, type CrudConfig } from "../crud-page";
import { compact, existing, isEntryNumber, sortedIds } from "../drafts";
import { checkboxField, selectField, textField } from "../forms";
import { t, type MessageKey } from "../i18n";

export const RULE_NUMBERS_URL = "/api/rule_numbers/numbers";
/** The dial plan, for its blocking groups (RBN-05, BAR-04). */
export const DIALPLAN = "/api/dialplan";
/** The Routing page, whose organisation level has the "Rules for rule-based numbers". */
export const ROUTING_PAGE = "/routing";
export const NAME_MAX = 80;
/** The longest info text (RBN-02; core/calls/metadata.py). */
export const DISPLAY_TEXT_MAX = 60;
/** RBN-03: the prompt languages a number may set (null: the caller's, else the organisation's). */
export const RULE_NUMBER_LANGUAGES = ["en", "de", "da"] as const;

/** One rule-based number as GET /api/rule_numbers/numbers lists it. */
export interface RuleNumber {
  id: number;
  name: string;
  /** "1700".."1799", or a public E.164 number such as "+4589401750". */
  number: string;
  /** RBN-02: shown on the receiving phone; "" for none. */
  display_text: string;
  /** RBN-02 "override with forwarded info": a text set earlier in the call is kept. */
  keep_derived_metadata: boolean;
  /** RBN-03: the prompts' language for the rest of the call, for callers who are not users. */
  language: string | null;
  /** RBN-04: shown as the caller when the original caller's number cannot be shown. */
  show_as_caller: boolean;
  /** RBN-05, BAR-04: ids of the dial plan's blocking groups. */
  blocking_groups: number[];
}

/** What the form edits: the text fields as typed. */
export interface Draft {
  name: string;
  number: string;
  displayText: string;
  keepDerivedMetadata: boolean;
  /** "" for the caller's / organisation's language. */
  language: string;
  showAsCaller: boolean;
  blockingGroups: Set<number>;
}

/** The API's field of each draft field, whose message goes when it changes. */
export const FIELD_OF: Record<keyof Draft, string> = {
  name: "name",
  number: "number",
  displayText: "display_text",
  keepDerivedMetadata: "keep_derived_metadata",
  language: "language",
  showAsCaller: "show_as_caller",
  blockingGroups: "blocking_groups",
};

/** A blocking group as GET /api/dialplan lists it (what the form needs of it). */
interface BlockingGroupRef {
  id: number;
  name: string;
}

export function emptyDraft(): Draft {
  return {
    name: "",
    number: "",
    displayText: "",
    keepDerivedMetadata: false,
    language: "",
    showAsCaller: false,
    blockingGroups: new Set(),
  };
}

/** The number as a draft; with `blockingGroups` (the ids that exist) a group deleted since is left
 * out, so that saving the form unchanged does not fail on it. */
export function draftOf(entry: RuleNumber, blockingGroups?: ReadonlySet<number>): Draft {
  const groups = entry.blocking_groups ?? [];
  return {
    name: entry.name,
    number: entry.number,
    displayText: entry.display_text ?? "",
    keepDerivedMetadata: entry.keep_derived_metadata === true,
    language: entry.language ?? "",
    showAsCaller: entry.show_as_caller === true,
    blockingGroups: blockingGroups ? existing(groups, blockingGroups) : new Set(groups),
  };
}

/** The body of POST and PUT /api/rule_numbers/numbers: the whole object as the form edits it. */
export function bodyOf(draft: Draft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    number: compact(draft.number),
    display_text: draft.displayText.trim(),
    keep_derived_metadata: draft.keepDerivedMetadata,
    language: draft.language || null,
    show_as_caller: draft.showAsCaller,
    blocking_groups: sortedIds(draft.blockingGroups),
  };
}

/** The messages next to the fields, by the API's field names; empty when the draft may be sent.
 * The number's range (1700-1799 for local ones) is the server's to check: it says so by field. */
export function draftErrors(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = draft.name.trim();
  const number = compact(draft.number);
  if (!name) errors["name"] = t("validation.required");
  else if (name.length > NAME_MAX) errors["name"] = t("ruleNumbers.tooLong", { max: NAME_MAX });
  if (!number) errors["number"] = t("validation.required");
  else if (!isEntryNumber(number)) errors["number"] = t("ruleNumbers.numberInvalid");
  if (draft.displayText.trim().length > DISPLAY_TEXT_MAX) {
    errors["display_text"] = t("ruleNumbers.tooLong", { max: DISPLAY_TEXT_MAX });
  }
  if (draft.language && !(RULE_NUMBER_LANGUAGES as readonly string[]).includes(draft.language)) {
    errors["language"] = t("ruleNumbers.languageInvalid");
  }
  return errors;
}

/** The prompts' language in words; null is the caller's or the organisation's. */
export function languageText(language: string | null): string {
  if (!language) return t("ruleNumbers.defaultLanguage");
  return (RULE_NUMBER_LANGUAGES as readonly string[]).includes(language) ? t(`lang.${language}` as MessageKey) : language;
}

/** The names of the chosen blocking groups (unknown ids as "#3"), or "None". */
export function blockingGroupNames(ids: readonly number[], groups: ReadonlyArray<BlockingGroupRef>): string {
  if (!ids.length) return t("common.none");
  const byId = new Map(groups.map((g) => [g.id, g.name]));
  return ids.map((id) => byId.get(id) ?? `#${id}`).join(", ");
}

@customElement("cb-rule-numbers")
export class CbRuleNumbers extends CrudPage<RuleNumber, Draft> {
  @state() private blockingGroups: BlockingGroupRef[] = [];

  protected readonly crud: CrudConfig<Draft> = {
    url: RULE_NUMBERS_URL,
    // CrudPage's namespaces are listed in crud-page.ts; "ruleNumbers" has every key they need
    // (test/rule-numbers.test.ts checks it).
    ns: "ruleNumbers",
    prefix: "rbn",
    editIds: true,
    testIds: { page: "rule-numbers", list: "rule-numbers-list", row: "rule-number", form: "rule-number-form" },
    offAdmin: "ruleNumbers.offAdmin",
    emptyDraft,
    draftErrors,
    bodyOf,
  };

  protected async fetchEntries(): Promise<RuleNumber[]> {
    const [numbers, plan] = await Promise.all([
      api.get<RuleNumber[]>(RULE_NUMBERS_URL),
      api.get<{ blocking_groups?: BlockingGroupRef[] }>(DIALPLAN),
    ]);
    this.blockingGroups = plan.blocking_groups ?? [];
    return numbers;
  }

  protected draftOf(entry: RuleNumber): Draft {
    return draftOf(entry, new Set(this.blockingGroups.map((g) => g.id)));
  }

  /** Change a field; its message goes (the form's stays until the next save). */
  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    this.change({ [key]: value } as Partial<Draft>, FIELD_OF[key]);
  }

  protected columns(): Array<Column<RuleNumber>> {
    return [
      { label: t("ruleNumbers.name"), testId: "rbn-name", cell: (n) => n.name },
      { label: t("ruleNumbers.number"), num: true, testId: "rbn-number", cell: (n) => n.number },
      {
        label: t("ruleNumbers.displayText"),
        testId: "rbn-display-text",
        cell: (n) => html`<div>
          ${n.display_text || html`<span class="muted">${t("common.none")}</span>`}
          ${n.keep_derived_metadata
            ? html`<div class="muted small" data-testid="rbn-keeps-forwarded">${t("ruleNumbers.keepsForwarded")}</div>`
            : nothing}
        </div>`,
      },
      { label: t("ruleNumbers.language"), testId: "rbn-language", cell: (n) => languageText(n.language) },
      {
        label: t("ruleNumbers.showAsCallerColumn"),
        testId: "rbn-show-as-caller",
        cell: (n) => t(n.show_as_caller ? "common.yes" : "common.no"),
      },
      {
        label: t("blocking.field"),
        testId: "rbn-blocking",
        cell: (n) => blockingGroupNames(n.blocking_groups, this.blockingGroups),
      },
    ];
  }

  /** Where calls to these numbers go: the Routing page's rules for rule-based numbers. */
  protected override afterList(): TemplateResult {
    return html`<p class="hint" data-testid="rbn-routing-hint">
      ${t("ruleNumbers.routingHint")} <a href=${ROUTING_PAGE}>${t("ruleNumbers.toRouting")}</a>
    </p>`;
  }

  protected fields(d: Draft): TemplateResult {
    return html`<div class="grid three">
        ${textField({ id: "rbn-name", label: t("ruleNumbers.name"), value: d.name, required: true, error: this.errors["name"],
          autocomplete: "off", onInput: (v) => this.set("name", v) })}
        ${textField({ id: "rbn-number", label: t("ruleNumbers.number"), value: d.number, required: true,
          error: this.errors["number"], hint: t("ruleNumbers.numberHint"), inputmode: "tel", autocomplete: "off",
          onInput: (v) => this.set("number", v) })}
        ${selectField({
          id: "rbn-language",
          label: t("ruleNumbers.language"),
          value: d.language,
          options: [
            ["", t("ruleNumbers.defaultLanguage")],
            ...RULE_NUMBER_LANGUAGES.map((l): [string, string] => [l, languageText(l)]),
          ],
          error: this.errors["language"],
          hint: t("ruleNumbers.languageHint"),
          onInput: (v) => this.set("language", v),
        })}
      </div>
      ${textField({ id: "rbn-display-text", label: t("ruleNumbers.displayText"), value: d.displayText,
        error: this.errors["display_text"], hint: t("ruleNumbers.displayTextHint", { max: DISPLAY_TEXT_MAX }),
        autocomplete: "off", onInput: (v) => this.set("displayText", v) })}
      ${checkboxField({
        id: "rbn-keep-derived",
        label: t("ruleNumbers.keepDerivedMetadata"),
        checked: d.keepDerivedMetadata,
        hint: t("ruleNumbers.keepDerivedMetadataHint"),
        error: this.errors["keep_derived_metadata"],
        onChange: (on) => this.set("keepDerivedMetadata", on),
      })}
      ${checkboxField({
        id: "rbn-show-as-caller",
        label: t("ruleNumbers.showAsCaller"),
        checked: d.showAsCaller,
        hint: t("ruleNumbers.showAsCallerHint"),
        error: this.errors["show_as_caller"],
        onChange: (on) => this.set("showAsCaller", on),
      })}
      ${blockingGroupsField({
        prefix: "rbn",
        groups: this.blockingGroups,
        chosen: d.blockingGroups,
        toggle: (id, on) => this.set("blockingGroups", toggled(d.blockingGroups, id, on)),
        hint: t("ruleNumbers.blockingGroupsHint"),
        error: this.fieldError("blocking_groups"),
      })}`;
  }
}

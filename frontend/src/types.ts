/** Shapes of the Cordboard REST and WebSocket API that the UI uses. */

export type Role = "admin" | "user";
export type Language = "en" | "de" | "da";
export type Scope = "org" | "group" | "user";

export interface User {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string | null;
  mobile: string | null;
  extension: string | null;
  language: Language;
  timezone: string | null;
  role: Role;
  locked: boolean;
  created: number;
  updated: number;
  groups: number[];
  has_password: boolean;
  has_pin: boolean;
  has_sip_password: boolean;
  /** ROLE-04 (GET /api/auth/me only): the admin pages, by route name, this user may use as a group
   * administrator of some of their items; empty for administrators, who use them all. */
  administers?: string[];
}

export interface Group {
  id: number;
  name: string;
  description: string;
  priority: number;
  members?: number[];
}

/** One field of a voluptuous-serialize form description. */
export interface SchemaField {
  name: string;
  type: string;
  required?: boolean;
  optional?: boolean;
  default?: unknown;
  valueMin?: number;
  valueMax?: number;
  options?: Array<[string, string]> | Record<string, string>;
  format?: string;
  required_text?: boolean;
  description?: string;
}

export interface SettingSpec {
  key: string;
  kind: "scalar" | "bool" | "list";
  scopes: Scope[];
  default: unknown;
  description: string;
  user_editable: boolean;
  validator: Omit<SchemaField, "name">;
}

export interface PluginInfo {
  domain: string;
  manifest: { name?: string; version?: string; description?: string; dependencies?: string[] };
  builtin: boolean;
  essential: boolean;
  enabled: boolean;
  status: string;
  error: string | null;
  field_errors: Record<string, string>;
  schema: SchemaField[];
}

export interface EntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: number;
  last_updated: number;
}

export interface Health {
  status: string;
  problems?: string[];
  version: string;
  state: string;
  needs_setup: boolean;
}

export interface ImportChange {
  line: number;
  username: string;
  action: "create" | "update" | "unchanged";
  changes: Record<string, [string | null, string | null]>;
  sets_sip_password: boolean;
}

export interface ImportResult {
  changes: ImportChange[];
  errors: Array<{ line: number; message: string }>;
  applied: boolean;
}

export interface Effective {
  [key: string]: { value: unknown; source: string };
}

/** GET /api/sip/setup: what a phone's SIP account screen asks for, for one user (never the password). */
export interface SipSetup {
  running: boolean;
  server: string | null;
  domain: string | null;
  ports: Partial<Record<"udp" | "tcp" | "tls", number>>;
  realm: string | null;
  digest_algorithms: string[];
  /** The diagnostics plugin's echo test number; null when that plugin is disabled. */
  echo_test_number: string | null;
  /** SIP over WebSocket addresses for browser softphones (this page's origin first). */
  websocket: string[];
  /** TERM-06: whether an administrator turned the browser softphone on for this user. */
  softphone: boolean;
  user: { id: number; username: string; extension: string | null; has_sip_password: boolean; locked: boolean };
  devices: Array<Record<string, unknown> & { entity_id: string }>;
}

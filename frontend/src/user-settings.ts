/**
 * A user's scoped settings over the REST API (SET-04): the values they chose themselves, the values
 * in force with where each comes from (their own, their group's, the organisation's, the default),
 * and saving their own (a null value clears it: back to what is set for them).
 */
import { api } from "./api";
import type { Effective } from "./types";

/** One setting in force: its value and where it comes from ("user", "group:3", "org", "default"). */
export type EffectiveValue = Effective[string];

export interface UserSettings {
  own: Record<string, unknown>;
  effective: Effective;
}

export function effectiveSettings(userId: number): Promise<Effective> {
  return api.get<Effective>(`/api/settings/effective/${userId}`);
}

export async function userSettings(userId: number): Promise<UserSettings> {
  const [own, effective] = await Promise.all([
    api.get<Record<string, unknown>>(`/api/settings/user/${userId}`),
    effectiveSettings(userId),
  ]);
  return { own, effective };
}

export async function saveOwnSettings(userId: number, values: Record<string, unknown>): Promise<void> {
  await api.put(`/api/settings/user/${userId}`, values);
}

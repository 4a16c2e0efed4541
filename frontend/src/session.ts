/** Who is logged in, the organisation's name, and toasts: small shared state with change notifications. */
import { setLanguage } from "./i18n";
import type { User } from "./types";
import { effectiveSettings } from "./user-settings";

class Session extends EventTarget {
  user: User | null = null;
  orgName = "";

  setUser(user: User | null): void {
    // Only GET /api/auth/me tells `administers`: an account saved elsewhere (My profile) keeps it.
    if (user && user.administers === undefined && this.user?.id === user.id && this.user.administers) {
      user = { ...user, administers: this.user.administers };
    }
    this.user = user;
    setLanguage(user?.language);
    this.dispatchEvent(new Event("change"));
  }

  get isAdmin(): boolean {
    return this.user?.role === "admin";
  }

  /** ROLE-04: whether this user, not an administrator, administers items of the admin page `page`. */
  administers(page: string): boolean {
    return !this.isAdmin && (this.user?.administers ?? []).includes(page);
  }

  async loadOrgName(): Promise<void> {
    if (!this.user) return;
    try {
      const effective = await effectiveSettings(this.user.id);
      this.orgName = String(effective["core.organisation_name"]?.value ?? "");
    } catch {
      this.orgName = "";
    }
    this.dispatchEvent(new Event("change"));
  }
}

export const session = new Session();

export type ToastKind = "success" | "error" | "info";

/** Show a short message in the app's live region (read out by screen readers). */
export function toast(message: string, kind: ToastKind = "success"): void {
  window.dispatchEvent(new CustomEvent("cb-toast", { detail: { message, kind } }));
}

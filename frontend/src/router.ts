/** A small History API router: paths like "/users/:id", link interception, route-change notifications. */

export interface Match {
  name: string;
  params: Record<string, string>;
}

export interface RouteDef {
  name: string;
  pattern: string;
}

const listeners = new Set<() => void>();

export function onRouteChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

export function navigate(to: string, { replace = false } = {}): void {
  const current = location.pathname + location.search;
  if (to === current && !replace) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.scrollTo(0, 0);
  notify();
}

export function query(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

export function matchRoute(routes: RouteDef[], path: string): Match | null {
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    pattern.forEach((segment, i) => {
      const part = parts[i] ?? "";
      if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(part);
      else if (segment !== part) ok = false;
    });
    if (ok) return { name: route.name, params };
  }
  return null;
}

/** A "next" target from the URL that is a path on this site (never another origin). */
export function safeNext(value: string | null): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if (value.startsWith("/login") || value.startsWith("/setup")) return null;
  return value;
}

/** Send clicks on same-site links through the router instead of reloading the page. */
export function interceptLinks(root: HTMLElement | Document): void {
  root.addEventListener("click", (event) => {
    const e = event as MouseEvent;
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const anchor = e.composedPath().find((el) => el instanceof HTMLAnchorElement) as HTMLAnchorElement | undefined;
    if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.origin !== location.origin) return;
    if (anchor.pathname.startsWith("/api/")) return;
    e.preventDefault();
    navigate(anchor.pathname + anchor.search);
  });
}

/**
 * The little of a browser that the modules under test touch when they are loaded: the browser's
 * languages (i18n starts in the first one it knows) and `window` events (the router listens for
 * popstate). Node 20 has neither. There is no `document` on purpose: Lit renders nothing in Node
 * only while there is none (tests that change the language add the bit they need, test/lang.ts).
 */
const g = globalThis as unknown as Record<string, unknown>;

if (g["navigator"] === undefined) {
  g["navigator"] = { language: "en-GB", languages: ["en-GB", "en"] };
}
if (g["window"] === undefined) {
  g["window"] = Object.assign(new EventTarget(), { scrollTo: () => undefined });
}

// Lit warns once that it runs in development mode (vitest resolves its "development" build).
g["litIssuedWarnings"] = new Set(["dev-mode"]);

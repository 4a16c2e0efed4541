import { defineConfig } from "vitest/config";

// `npm test`: unit tests of the modules that compute rather than render, in Node (no browser, no DOM);
// the pages themselves are tested end to end in Chromium (tests/frontend/).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
  },
});

import { defineConfig } from "vite";

// `npm run dev` proxies the API to a Cordboard started with `make run` (port 8123).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: {
      "/api/websocket": { target: "ws://127.0.0.1:8123", ws: true },
      "/api": "http://127.0.0.1:8123",
    },
  },
});

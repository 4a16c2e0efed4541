/**
 * What the pages with recordings share (Prompts, Our prompts, Music on hold): the file types offered
 * for an upload, requests whose body or answer is not JSON, a per-row note, the immutable updates of
 * per-row state, and the player of a fetched WAV (one at a time per page).
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { api, ApiError } from "./api";

/** What the file pickers offer: the server converts any common audio format. */
export const AUDIO_ACCEPT = "audio/*,.wav,.mp3,.ogg,.opus,.flac,.m4a";

/** The file just picked in a file input, which is cleared so that picking the same file again is noticed. */
export function pickedFile(input: HTMLInputElement): File | undefined {
  const file = input.files?.[0];
  input.value = "";
  return file;
}

/** The outcome of the last action on a row (an upload, a play, a delete). */
export interface Note {
  kind: "ok" | "bad";
  text: string;
}

/** ``set`` with ``key`` added (``on``) or removed, as a new Set so that a Lit @state sees the change. */
export function withKey<K>(set: Set<K>, key: K, on: boolean): Set<K> {
  const next = new Set(set);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}

/** ``map`` with ``key`` set to ``value`` (removed for null), as a new Map so that a Lit @state sees the change. */
export function withEntry<K, V>(map: Map<K, V>, key: K, value: V | null): Map<K, V> {
  const next = new Map(map);
  if (value !== null) next.set(key, value);
  else next.delete(key);
  return next;
}

/**
 * The ApiError of a failed request from its status and parsed JSON answer (null when it had none),
 * as api.ts makes it; on a 401 api.ts is asked once more, so that its handler notices the ended
 * session and takes the app back to the log-in page.
 */
export function failedRequest(status: number, statusText: string, data: unknown): ApiError {
  const error = (data as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null)?.error;
  if (status === 401) void api.get("/api/auth/me").catch(() => undefined);
  return new ApiError(status, error?.code ?? `http_${status}`, error?.message || statusText, error?.fields ?? {});
}

/**
 * A request whose body or answer is not JSON (a recording or a form up, the WAV down), with the
 * session cookie as api.ts sends it; a failure becomes an ApiError with the API's message and fields.
 */
export async function rawRequest(method: string, path: string, body?: Blob | FormData): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json, audio/wav" };
  const init: RequestInit = { method, credentials: "same-origin", headers };
  if (body) {
    init.body = body;
    // A form gets its multipart boundary from the browser; a file goes up as itself.
    if (body instanceof Blob) headers["Content-Type"] = body.type || "application/octet-stream";
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "");
  }
  if (response.ok) return response;
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  throw failedRequest(response.status, response.statusText, data);
}

/**
 * The recording loaded for playing on a page: one at a time, fetched as a WAV and kept as an object
 * URL (given back when another is loaded, when it is dropped and when the page goes). The host renders
 * ``<audio data-key=${player.current.key} src=${player.current.url}>`` where it belongs.
 */
export class WavPlayer implements ReactiveController {
  current: { key: string; url: string } | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.drop();
  }

  /** Fetch the WAV at ``path``, show it as ``key``'s player and start it (throws the request's ApiError). */
  async play(key: string, path: string): Promise<void> {
    const response = await rawRequest("GET", path);
    const blob = await response.blob();
    this.drop();
    this.current = { key, url: URL.createObjectURL(blob) };
    this.host.requestUpdate();
    await this.host.updateComplete;
    const player = this.host.querySelector<HTMLAudioElement>(`audio[data-key="${key}"]`);
    // Browsers may refuse to start sound on their own; the player's controls remain to press play.
    await player?.play().catch(() => undefined);
  }

  /** Give the player up: any, or only one whose key passes ``which``. */
  drop(which?: (key: string) => boolean): void {
    if (!this.current || (which && !which(this.current.key))) return;
    URL.revokeObjectURL(this.current.url);
    this.current = null;
    this.host.requestUpdate();
  }
}

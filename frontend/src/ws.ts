/**
 * The live connection: one WebSocket to /api/websocket that subscribes to states and to the events
 * the pages care about, reconnects with backoff and resynchronises every state after a reconnect.
 */
import type { EntityState } from "./types";

/** Detail of the "state-changed" event: one entity's state before and after (null: absent). */
export interface StateChange {
  entityId: string;
  oldState: EntityState | null;
  newState: EntityState | null;
}

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "stopped";

interface WsMessage {
  id?: number;
  type: string;
  success?: boolean;
  result?: unknown;
  event?: { event_type: string; data: Record<string, unknown> };
  message?: string;
}

const WATCHED_EVENTS = [
  "user.created",
  "user.updated",
  "user.deleted",
  "group.updated",
  "settings.changed",
  "storage.external_change",
  // Ended calls were committed to the call history: the history pages fetch again.
  "call_history.saved",
  // A user's presence (availability, activity, DND, call state) changed: the presence controls.
  "presence.changed",
  // A colleague's status (PRS-11), sent to the users whose groups may see it: the Contacts page.
  "presence.status_changed",
  // A desk phone fetched its configuration or asked by plug-and-play (the phone list shows the
  // last fetch; its phone.<mac> state does not change when the phone asks again from one address).
  "device.provisioned",
  "device.discovered",
  // A user's night mode began or ended (working hours, SCH-04): My working hours follows it.
  "night_mode.changed",
  // A call a receptionist camped on a busy colleague still waits (PQ-07): a notification.
  "personal_queue.camped_waiting",
  // A user's voice messages changed (a new one, heard, deleted, expired; VM-15): the Voicemail page.
  "voicemail.changed",
] as const;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];

export class LiveStore extends EventTarget {
  states = new Map<string, EntityState>();
  status: ConnectionStatus = "stopped";
  /** Set once the first full state list has arrived. */
  synced = false;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private statesId = -1;
  private attempt = 0;
  private timer: number | undefined;
  private running = false;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.states.clear();
    this.synced = false;
    this.setStatus("stopped");
  }

  /** Drop the connection now and reconnect (used by tests and after the network comes back). */
  reconnectNow(): void {
    if (!this.running) return;
    this.attempt = 0;
    this.socket?.close();
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new Event("status"));
  }

  private connect(): void {
    window.clearTimeout(this.timer);
    this.setStatus(this.attempt === 0 && !this.synced ? "connecting" : "reconnecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/websocket`;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.nextId = 1;
    socket.addEventListener("message", (e) => this.onMessage(socket, String(e.data)));
    socket.addEventListener("close", () => this.onClose(socket));
  }

  private send(message: Record<string, unknown>): number {
    const id = this.nextId++;
    this.socket?.send(JSON.stringify({ id, ...message }));
    return id;
  }

  private onMessage(socket: WebSocket, raw: string): void {
    if (socket !== this.socket) return;
    let msg: WsMessage;
    try {
      msg = JSON.parse(raw) as WsMessage;
    } catch {
      return;
    }
    if (msg.type === "auth_required" || msg.type === "auth_invalid") {
      // The session cookie is gone or expired: the app sends the person to the log-in page.
      this.stop();
      this.dispatchEvent(new Event("unauthorized"));
      return;
    }
    if (msg.type === "auth_ok") {
      this.statesId = this.send({ type: "subscribe_states" });
      for (const eventType of WATCHED_EVENTS) this.send({ type: "subscribe_events", event_type: eventType });
      return;
    }
    if (msg.type === "result" && msg.id === this.statesId && msg.success) {
      this.states = new Map((msg.result as EntityState[]).map((s) => [s.entity_id, s]));
      const wasSynced = this.synced;
      this.synced = true;
      this.attempt = 0;
      this.setStatus("connected");
      this.dispatchEvent(new Event("states"));
      // After a reconnect every page refetches what may have changed while the socket was down.
      if (wasSynced) this.dispatchEvent(new CustomEvent("resync"));
      return;
    }
    if (msg.type === "event" && msg.event) {
      const { event_type: eventType, data } = msg.event;
      if (eventType === "state_changed") {
        const next = data["new_state"] as EntityState | null;
        const id = String(data["entity_id"] ?? next?.entity_id ?? "");
        const previous = this.states.get(id) ?? (data["old_state"] as EntityState | null) ?? null;
        if (next) this.states.set(id, next);
        else this.states.delete(id);
        this.dispatchEvent(new Event("states"));
        const detail: StateChange = { entityId: id, oldState: previous, newState: next };
        this.dispatchEvent(new CustomEvent<StateChange>("state-changed", { detail }));
      } else {
        this.dispatchEvent(new CustomEvent("bus-event", { detail: { eventType, data } }));
      }
    }
  }

  private onClose(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    if (!this.running) return;
    this.setStatus("reconnecting");
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 30000;
    this.attempt += 1;
    this.timer = window.setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
  }
}

export const live = new LiveStore();

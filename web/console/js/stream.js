// The event stream (docs/api.md "Event stream"): a one-use ticket bought with the session
// cookie, then a WebSocket. A dropped connection shows the banner and reconnects; the snapshot
// that opens every connection is the new baseline, so nothing is lost in between.
import { api } from "./api.js";

export function openStream({ onMessage, onConnected, onDisconnected }) {
  let delayMs = 500;
  let lastSeq = null;
  let closedByUs = false;
  let socket = null;

  async function connect() {
    try {
      const { ticket } = await api("POST", "/stream/ticket");
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
    } catch (error) {
      return retry(error.status === 401);
    }
    socket.onopen = () => {
      delayMs = 500;
      onConnected();
    };
    socket.onmessage = (m) => {
      const message = JSON.parse(m.data);
      if (message.type === "heartbeat") return;
      // A gap means a missed event: start again from a fresh snapshot.
      if (message.type !== "snapshot" && lastSeq !== null && message.prev_seq !== lastSeq) {
        socket.close();
        return;
      }
      lastSeq = message.seq;
      onMessage(message);
    };
    socket.onclose = (e) => {
      lastSeq = null;
      if (!closedByUs) retry(e.code === 4401);
    };
  }

  function retry(loggedOut) {
    onDisconnected(loggedOut);
    if (loggedOut || closedByUs) return;
    setTimeout(connect, delayMs);
    delayMs = Math.min(delayMs * 2, 15000);
  }

  connect();
  return {
    close() {
      closedByUs = true;
      if (socket) socket.close();
    },
  };
}

// SLA time left as the queue shows it: amber from WARN_MS before the deadline, red after it.
export const WARN_MS = 5 * 60 * 1000;

export function slaState(msLeft) {
  if (msLeft === null || msLeft === undefined) return "none";
  if (msLeft < 0) return "breached";
  if (msLeft <= WARN_MS) return "warning";
  return "ok";
}

// "12:40", "1:02:03", or "-03:10" once past the deadline.
export function formatDuration(ms) {
  const sign = ms < 0 ? "-" : "";
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const two = (n) => String(n).padStart(2, "0");
  return hours > 0 ? `${sign}${hours}:${two(minutes)}:${two(seconds)}` : `${sign}${two(minutes)}:${two(seconds)}`;
}

// The deadline that matters now: the first response until it is given, then the resolution.
export function dueAt(conversation) {
  if (!conversation.first_response_at && conversation.first_response_due) return conversation.first_response_due;
  return conversation.resolution_due ?? null;
}

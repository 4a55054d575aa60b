// The REST API (docs/api.md) as the console uses it: the session is the HttpOnly og_session
// cookie the login sets, and every request carries X-Requested-With, which the gateway requires
// of cookie requests that change something (docs/console.md, "Security").
const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { ...extraHeaders, "X-Requested-With": "omnigate-console", Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

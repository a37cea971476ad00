// Issue 12 against the real server (production build, Remix and all): what the HTTP layer
// refuses, the Retry-After of a page 429, and pages with codes not stored. Plain HTTP, no
// browser; nothing here signs in wrongly (per-IP login limits are shared by the whole run).
import { BASE_URL, DEMO_PASSWORD, demo, describe, expect, test } from "./fixtures";

const origin = { Origin: BASE_URL };

function post(path: string, body: BodyInit, headers: Record<string, string>) {
  return fetch(`${BASE_URL}${path}`, {
    method: "POST",
    body,
    headers: { ...origin, ...headers },
    redirect: "manual",
  });
}

describe("requests the portal refuses before any route runs", () => {
  test("a 2 MB form: 413 with a page", async () => {
    const response = await post(
      "/login",
      `email=a%40b.test&password=${"x".repeat(2 * 1024 * 1024)}`,
      {
        "Content-Type": "application/x-www-form-urlencoded",
      },
    );
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("Too much data sent");
  });

  test("JSON or nothing posted to a form: 415", async () => {
    for (const headers of [{ "Content-Type": "application/json" }, {}]) {
      const response = await post(
        "/login",
        '{"email":"a@b.test"}',
        headers as Record<string, string>,
      );
      expect(response.status).toBe(415);
    }
  });

  test("TRACE: 405; a malformed API path: a 400 problem", async () => {
    const trace = await fetch(`${BASE_URL}/login`, { method: "TRACE" }).catch(() => null);
    // Some clients refuse to send TRACE at all; when it is sent, the answer is 405.
    if (trace) expect(trace.status).toBe(405);
    const api = await fetch(`${BASE_URL}/api/v1/bundles/%E0%A4%A`);
    expect(api.status).toBe(400);
    expect(api.headers.get("content-type")).toContain("application/problem+json");
  });
});

test("a page's 429 carries Retry-After (forgot-password, 6th request for one address)", async () => {
  const email = `nobody-${Date.now()}@limits.example.test`;
  let last: Response | null = null;
  for (let i = 0; i < 6; i++) {
    last = await post("/forgot-password", `email=${encodeURIComponent(email)}`, {
      "Content-Type": "application/x-www-form-urlencoded",
    });
  }
  expect(last?.status).toBe(429);
  expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
});

test("the codes list is sent with Cache-Control: no-store", async () => {
  const login = await post(
    "/login",
    `email=${encodeURIComponent(demo.partner)}&password=${encodeURIComponent(DEMO_PASSWORD)}`,
    { "Content-Type": "application/x-www-form-urlencoded" },
  );
  expect(login.status).toBe(302);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const codes = await fetch(`${BASE_URL}/partner/brewline/codes`, { headers: { Cookie: cookie } });
  expect(codes.status).toBe(200);
  expect(codes.headers.get("cache-control")).toBe("no-store");
});

// The session cookie's shape and parsing (no database: the row side is in
// tests/integration/auth-sessions.test.ts).
import { describe, expect, test } from "vitest";
import {
  blankSessionCookie,
  readSessionToken,
  SESSION_COOKIE,
  sessionCookie,
} from "./session.server";
import { generateToken, hashToken } from "./tokens.server";

describe("tokens", () => {
  test("random base32 tokens of 20 bytes; SHA-256 hex as the stored id", () => {
    const token = generateToken();
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(generateToken()).not.toBe(token);
    expect(hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("cookies", () => {
  test("the session cookie: HttpOnly, SameSite=Lax, Path=/, expiring with the session", () => {
    const expires = new Date("2026-07-01T12:00:00Z");
    const cookie = sessionCookie("abcdefghijklmnopqrstuvwxyz234567", expires);
    const [pair, ...attributes] = cookie.split("; ");
    expect(pair).toBe(`${SESSION_COOKIE}=abcdefghijklmnopqrstuvwxyz234567`);
    expect(attributes).toEqual(
      expect.arrayContaining([
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        "Expires=Wed, 01 Jul 2026 12:00:00 GMT",
      ]),
    );
  });

  test("the blank cookie removes it", () => {
    const cookie = blankSessionCookie();
    expect(cookie.startsWith(`${SESSION_COOKIE}=;`)).toBe(true);
    expect(cookie).toContain("Max-Age=0");
    expect(cookie).toContain("Path=/");
  });

  test("readSessionToken finds the token among other cookies", () => {
    const token = generateToken();
    expect(readSessionToken(`a=1; ${SESSION_COOKIE}=${token}; b=2`)).toBe(token);
    expect(readSessionToken(`${SESSION_COOKIE}=${token}`)).toBe(token);
  });

  test.each([
    null,
    "",
    "a=1",
    `${SESSION_COOKIE}=`,
    `${SESSION_COOKIE}=short`,
    `${SESSION_COOKIE}=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567`,
    `${SESSION_COOKIE}=abcdefghijklmnopqrstuvwxyz01890a`,
    `${SESSION_COOKIE}=${"a".repeat(65)}`,
    `x${SESSION_COOKIE}=abcdefghijklmnopqrstuvwxyz234567`,
  ])("no token in %j", (header) => {
    expect(readSessionToken(header)).toBeNull();
  });
});

// `npm run simulate`'s pure parts (scripts/simulate/traffic.ts): argument parsing, the token
// it picks, the traffic mix from a seeded random source, and how answers are tallied. No
// database: it sits here because the unit project only collects app/**.
import { describe, expect, test } from "vitest";
import {
  chooseToken,
  classifyResponse,
  DEFAULT_URL,
  exponentialGapMs,
  parseSimulateArgs,
  SimulationStats,
  TRAFFIC_MIX,
  TrafficGenerator,
  type PlannedOperation,
} from "../../scripts/simulate/traffic.ts";
import { first } from "../helpers/rows.ts";
import { anyInstance, stringMatching } from "../helpers/typed.ts";

const A = "0b6f2c1a-1111-4111-8111-111111111111";
const B = "9c3e7d2b-2222-4222-8222-222222222222";
const C = "5d1a9e3c-3333-4333-8333-333333333333";

/** mulberry32: a small seeded generator, so the statistics below are the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseSimulateArgs", () => {
  const base = ["--rate", "5", "--seconds", "10"];

  test("businesses repeated and as a comma list, deduplicated; defaults", () => {
    const parsed = parseSimulateArgs([
      "--business",
      A,
      "--business",
      `${B}, ${C.toUpperCase()},`,
      "--business",
      A,
      ...base,
    ]);
    expect(parsed).toEqual({
      ok: true,
      help: false,
      options: { businesses: [A, B, C], rate: 5, seconds: 10, url: DEFAULT_URL, token: null },
    });
  });

  test("without --url: PUBLIC_URL, else localhost on PORT, like the server", () => {
    const args = ["--business", A, ...base];
    const url = (environment: { PUBLIC_URL?: string; PORT?: string }) => {
      const parsed = parseSimulateArgs(args, environment);
      return parsed.ok && !parsed.help ? parsed.options.url : parsed;
    };
    expect(url({ PORT: "4200" })).toBe("http://localhost:4200");
    expect(url({ PORT: "4200", PUBLIC_URL: "https://portal.example.test/" })).toBe(
      "https://portal.example.test",
    );
    expect(url({})).toBe("http://localhost:3000");
  });

  test("--url loses a trailing slash; --token and fractional numbers are kept", () => {
    const parsed = parseSimulateArgs([
      "--business",
      A,
      "--rate",
      "0.5",
      "--seconds",
      "2.5",
      "--url",
      "https://portal.example.test/",
      "--token",
      "sk_platform_abc",
    ]);
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        rate: 0.5,
        seconds: 2.5,
        url: "https://portal.example.test",
        token: "sk_platform_abc",
      },
    });
  });

  test("--help", () => {
    expect(parseSimulateArgs(["--help"])).toEqual({ ok: true, help: true });
  });

  test.each([
    [[...base], /--business: give at least one/],
    [["--business", ",", ...base], /--business: give at least one/],
    [["--business", "42", ...base], /--business: "42" is not a business id/],
    [["--business", A, "--seconds", "10"], /--rate: required/],
    [["--business", A, "--rate", "0", "--seconds", "10"], /--rate: give a number above 0/],
    [["--business", A, "--rate", "-1", "--seconds", "10"], /--rate/],
    [["--business", A, "--rate", "fast", "--seconds", "10"], /--rate.*"fast"/],
    [["--business", A, "--rate", "", "--seconds", "10"], /--rate/],
    [["--business", A, "--rate", "5000", "--seconds", "10"], /at most 1000/],
    [["--business", A, "--rate", "5"], /--seconds: required/],
    [["--business", A, "--rate", "5", "--seconds", "Infinity"], /--seconds/],
    [["--business", A, ...base, "--url", "localhost:3000"], /--url/],
    [["--business", A, ...base, "--url", "not a url"], /--url: "not a url" is not a URL/],
    [["--business", A, ...base, "--url", "http://x.test/?a=1"], /--url: .*without \?/],
    [["--business", A, ...base, "--verbose"], /--verbose/],
    [["--business", A, ...base, "extra"], /extra/],
    [["--business", A, ...base, "--rate"], /--rate/],
  ])("%j is refused with a clear message", (argv, message) => {
    const parsed = parseSimulateArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe("chooseToken", () => {
  const flag = "sk_platform_fromflag";
  const env = "sk_platform_fromenv";
  const file = "sk_platform_fromfile\n";

  test("--token, then PLATFORM_TOKEN, then the demo file (trimmed); blanks are skipped", () => {
    expect(chooseToken({ flag, env, file })).toEqual({ ok: true, token: flag, source: "--token" });
    expect(chooseToken({ flag: null, env, file })).toMatchObject({ token: env });
    expect(chooseToken({ flag: null, env: "  ", file })).toEqual({
      ok: true,
      token: "sk_platform_fromfile",
      source: "data/demo-platform-token",
    });
  });

  test("none: explains how to create one", () => {
    const chosen = chooseToken({ flag: null, env: undefined, file: null });
    expect(chosen.ok).toBe(false);
    if (!chosen.ok) {
      expect(chosen.error).toContain("npm run admin -- token create --platform --name simulator");
    }
  });

  test("a partner key or anything else: refused before any request", () => {
    for (const token of ["sk_partner_abc", "hunter2"]) {
      const chosen = chooseToken({ flag: token, env, file });
      expect(chosen.ok).toBe(false);
      if (!chosen.ok) expect(chosen.error).toMatch(/needs a platform token \(sk_platform_…\)/);
    }
  });
});

describe("exponentialGapMs", () => {
  test("the inverse CDF of the exponential distribution, finite at the ends", () => {
    expect(exponentialGapMs(4, () => 0)).toBeCloseTo(0, 9);
    expect(exponentialGapMs(4, () => 1 - Math.exp(-1))).toBeCloseTo(250, 6);
    expect(Number.isFinite(exponentialGapMs(4, () => 0.9999999999999999))).toBe(true);
  });

  test("mean 1/rate and the variance of an exponential (not evenly spaced)", () => {
    const random = seeded(7);
    const gaps = Array.from({ length: 50_000 }, () => exponentialGapMs(20, random));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const variance = gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length;
    expect(mean).toBeGreaterThan(50 * 0.97);
    expect(mean).toBeLessThan(50 * 1.03);
    // For an exponential the standard deviation equals the mean.
    expect(Math.sqrt(variance) / mean).toBeGreaterThan(0.95);
    expect(Math.sqrt(variance) / mean).toBeLessThan(1.05);
  });
});

describe("TrafficGenerator", () => {
  const now = new Date("2026-12-01T10:00:00.000Z");

  function run(count: number, acceptEverything: boolean) {
    const traffic = new TrafficGenerator({
      runId: "r1",
      businesses: [A, B, C],
      random: seeded(42),
    });
    const planned: PlannedOperation[] = [];
    for (let i = 0; i < count; i++) {
      const operation = traffic.next(now);
      planned.push(operation);
      if (acceptEverything) traffic.accepted(operation);
    }
    return planned;
  }

  test("the mix: ~85% stamps, quantity 1 mostly and 2–3 sometimes, businesses uniform", () => {
    const planned = run(20_000, false);
    expect(planned.every((p) => !p.replay)).toBe(true);
    const stamps = planned.filter((p) => p.body.kind === "stamp");
    const vouchers = planned.filter((p) => p.body.kind === "voucher");
    expect(stamps.length / planned.length).toBeCloseTo(1 - TRAFFIC_MIX.voucherShare, 1);
    expect(Math.abs(vouchers.length / planned.length - 0.15)).toBeLessThan(0.01);
    expect(vouchers.every((p) => p.body.quantity === 1)).toBe(true);
    const multi = stamps.filter((p) => p.body.quantity > 1);
    expect(Math.abs(multi.length / stamps.length - TRAFFIC_MIX.multiStampShare)).toBeLessThan(0.01);
    expect(new Set(multi.map((p) => p.body.quantity))).toEqual(new Set([2, 3]));
    for (const id of [A, B, C]) {
      const share = planned.filter((p) => p.businessId === id).length / planned.length;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.015);
    }
  });

  test("unique keys sim-{runId}-{n}; the body is what the endpoint takes", () => {
    const planned = run(1000, false);
    expect(first(planned, "planned request").body).toEqual({
      idempotency_key: "sim-r1-1",
      kind: stringMatching(/^(stamp|voucher)$/),
      quantity: anyInstance(Number),
      occurred_at: "2026-12-01T10:00:00.000Z",
    });
    const keys = planned.map((p) => p.body.idempotency_key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.at(-1)).toBe("sim-r1-1000");
  });

  test("no replay before anything was accepted", () => {
    expect(run(5000, false).some((p) => p.replay)).toBe(false);
  });

  test("~2% replays: an earlier accepted request, key, body and business unchanged", () => {
    const planned = run(20_000, true);
    const replays = planned.filter((p) => p.replay);
    expect(Math.abs(replays.length / planned.length - TRAFFIC_MIX.replayShare)).toBeLessThan(0.005);
    const originals = new Map(
      planned.filter((p) => !p.replay).map((p) => [p.body.idempotency_key, p]),
    );
    for (const replay of replays) {
      const original = originals.get(replay.body.idempotency_key);
      expect(original).toBeDefined();
      expect(replay.businessId).toBe(original!.businessId);
      expect(replay.body).toEqual(original!.body);
    }
  });
});

describe("classifyResponse and SimulationStats", () => {
  test("201 accepted, 200 replayed, 402 limit_reached, anything else an error", () => {
    expect(classifyResponse(201, { operation: {}, remaining: 41 })).toEqual({
      kind: "accepted",
      remaining: 41,
    });
    expect(classifyResponse(200, { operation: {}, remaining: 99 })).toEqual({ kind: "replayed" });
    expect(classifyResponse(402, { code: "limit_reached", remaining: 0 })).toEqual({
      kind: "limit_reached",
      remaining: 0,
    });
    expect(classifyResponse(402, { code: "limit_reached" })).toEqual({
      kind: "limit_reached",
      remaining: null,
    });
    expect(classifyResponse(402, null)).toEqual({ kind: "error", label: "402" });
    expect(classifyResponse(404, { code: "not_found" })).toEqual({
      kind: "error",
      label: "404 not_found",
    });
    expect(classifyResponse(502, "<html>")).toEqual({ kind: "error", label: "502" });
  });

  test("tallies, the last remaining per business, the status line and the summary", () => {
    const stats = new SimulationStats([A, B]);
    stats.sent = 6;
    stats.record(A, { kind: "accepted", remaining: 10 });
    stats.record(A, { kind: "accepted", remaining: 9 });
    stats.record(A, { kind: "replayed" });
    stats.record(B, { kind: "limit_reached", remaining: 0 });
    stats.record(B, { kind: "error", label: "429 rate_limited" });
    stats.record(B, { kind: "error", label: "429 rate_limited" });
    expect(stats).toMatchObject({ accepted: 2, replayed: 1, limitReached: 1, errors: 2 });
    expect([...stats.remaining]).toEqual([
      [A, 9],
      [B, 0],
    ]);
    const line = stats.statusLine(3, 2);
    expect(line).toContain("sent 6");
    expect(line).toContain("accepted 2");
    expect(line).toContain("replayed 1");
    expect(line).toContain("limit reached 1");
    expect(line).toContain("errors 2");
    expect(line).toContain("0b6f2c1a=9 9c3e7d2b=0");
    const summary = stats.summary(3).join("\n");
    expect(summary).toContain("429 rate_limited ×2");
    expect(summary).toContain(`${A}  9`);

    const fresh = new SimulationStats([C]);
    expect(fresh.statusLine(0, 0)).toContain("5d1a9e3c=?");
  });
});

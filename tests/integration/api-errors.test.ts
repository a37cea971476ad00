// Errors of /api/v1 as the router answers them: a failure of ours (any 500) is logged at
// `error` with its stack under the route pattern — never the URL, which can carry a code —
// and answered with a generic detail; a client's error keeps its own.
import { describe, expect, test } from "vitest";
import { ProblemSchema } from "~/api/schemas";
import { createApiRouter, route } from "~/api/router.server";
import type { Endpoint } from "~/api/endpoints.server";
import { CodeNotFound } from "~/domain/codes/model.server";
import { RenderFailed, RendererBusy } from "~/pdf/render.server";
import { z } from "zod";
import { allowConsoleError } from "../console.ts";
import { makeContext } from "../helpers/remix.ts";

const failing = {
  method: "GET",
  path: "/api/v1/test-fail/{code}",
  operationId: "testFail",
  summary: "Fails as told",
  tag: "Test",
  auth: "public",
  params: z.object({ code: z.string() }),
  responses: { 200: { description: "Never.", schema: z.object({}) } },
  problems: {},
} as const satisfies Endpoint;

function routerThrowing(error: unknown) {
  return createApiRouter([route(failing, () => Promise.reject(error))]);
}

async function call(error: unknown) {
  const response = await routerThrowing(error).handle(
    new Request("http://localhost/api/v1/test-fail/SECRET-CODE-1234"),
    makeContext(),
  );
  return { response, body: ProblemSchema.parse(await response.json()) };
}

describe("failures of ours", () => {
  test("a render failure: 500 render_failed, generic detail, logged with its stack", async () => {
    const calls = allowConsoleError();
    const { response, body } = await call(new RenderFailed("worker heap exhausted at 0x1234"));
    expect(response.status).toBe(500);
    expect(body.code).toBe("render_failed");
    expect(body.detail).not.toContain("heap");
    expect(body.detail).toMatch(/logged/);
    const logged = calls.map((args) => args.map(String).join(" ")).join("\n");
    expect(logged).toContain("API GET /api/v1/test-fail/{code} failed");
    expect(logged).toContain("worker heap exhausted");
    expect(logged).toMatch(/at .*render\.server|RenderFailed/);
    expect(logged).not.toContain("SECRET-CODE-1234");
  });

  test("any other exception: 500 internal_error, generic detail, logged", async () => {
    const calls = allowConsoleError();
    const { response, body } = await call(new TypeError("cannot read x of undefined"));
    expect(response.status).toBe(500);
    expect(body.code).toBe("internal_error");
    expect(body.detail).not.toContain("undefined");
    expect(calls.length).toBeGreaterThan(0);
  });
});

describe("what is not a failure", () => {
  test("every renderer busy: 503 with its own detail, not logged as an error", async () => {
    const { response, body } = await call(new RendererBusy());
    expect(response.status).toBe(503);
    expect(body.code).toBe("renderer_busy");
  });

  test("a domain error a client can act on keeps its code, status and message", async () => {
    const { response, body } = await call(new CodeNotFound());
    expect(response.status).toBe(404);
    expect(body).toMatchObject({ code: "code_not_found", title: "Code not found" });
  });
});

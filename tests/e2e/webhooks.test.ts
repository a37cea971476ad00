// The partner "Webhooks" page in the browser (issue 16): the owner opens it from the partner
// navigation, is told which field is wrong, adds an endpoint on a receiver this test runs on
// 127.0.0.1 (the e2e server allows loopback: WEBHOOK_ALLOW_LOOPBACK=true, development only),
// sees the signing secret once — gone after a reload — sends a test event, the receiver gets
// it signed with that secret, and the delivery log shows it delivered with its 200. Every page
// is scanned by axe (fixtures.ts).
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { first } from "../helpers/rows.ts";
import { atPath, demo, describe, expect, heading, signIn, test, visible } from "./fixtures";

let receiver: Server;
let hookUrl = "";
const received: { body: string; signature: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({ body, signature: String(req.headers["x-7stamp-signature"] ?? "") });
      res.writeHead(200, { "content-type": "text/plain" }).end("received");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/7stamp-e2e`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe("partner webhooks", () => {
  test("add an endpoint, see its secret once, send a test event and find it in the log", async ({
    page,
  }) => {
    await signIn(page, demo.partner);
    await atPath(page, /^\/partner(\/|$)/);
    await page.goto("/partner/brewline");
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await atPath(page, "/partner/brewline/webhooks");
    await visible(heading(page, "Webhooks"));

    // Bad input: the field says what is wrong, and what was typed stays.
    await page.getByLabel("URL", { exact: true }).fill("http://10.0.0.1/hook");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await visible(page.getByRole("alert").filter({ hasText: "private, loopback or metadata" }));
    await visible(page.getByRole("alert").filter({ hasText: "Choose at least one event." }));
    expect(await page.getByLabel("URL", { exact: true }).inputValue()).toBe("http://10.0.0.1/hook");

    await page.getByLabel("URL", { exact: true }).fill(hookUrl);
    await page.getByLabel("code.claimed").check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const shown = page.getByRole("textbox", { name: "Signing secret", exact: true });
    await visible(shown);
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^whsec_/);
    await visible(page.getByRole("link", { name: `Delivery log of ${hookUrl}` }));

    // Shown once: a reload shows the endpoint, never the secret.
    await page.reload();
    await visible(page.getByRole("link", { name: `Delivery log of ${hookUrl}` }));
    expect(await page.getByRole("textbox", { name: "Signing secret", exact: true }).count()).toBe(
      0,
    );
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("button", { name: `Send a test event to ${hookUrl}` }).click();
    await atPath(page, /^\/partner\/brewline\/webhooks\/[0-9a-f-]{36}$/);
    await visible(heading(page, "Delivery log"));
    await visible(page.getByRole("status").filter({ hasText: "A test event was queued" }));

    // The jobs in the web process deliver it at once; the log shows it after a reload. (Other
    // specs on this server may claim codes meanwhile: only the test event is looked at.)
    const tests = () =>
      received.filter((r) => (JSON.parse(r.body) as { type?: unknown }).type === "webhook.test");
    const deadline = Date.now() + 30_000;
    while (tests().length === 0 && Date.now() < deadline) await page.waitForTimeout(250);
    expect(tests()).toHaveLength(1);
    const { body, signature } = first(tests(), "test event");
    expect(JSON.parse(body)).toMatchObject({ type: "webhook.test" });
    const t = /t=(\d+)/.exec(signature)![1];
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signature).toContain(`v1=${expected}`);

    await page.reload();
    const delivery = page.getByRole("listitem").filter({ hasText: "webhook.test" });
    await visible(delivery);
    await visible(delivery.getByText("Delivered"));
    await visible(delivery.getByRole("cell", { name: "200", exact: true }));
    await visible(delivery.getByRole("button", { name: /^Resend event \d+$/ }));
  });
});

// The handlers of /api/v1, one per endpoint of the contract: authenticate (the router did),
// parse, call one domain function, answer with the endpoint's schema. No SQL here.
import { clock } from "~/lib/clock.server";
import { db } from "~/db.server";
import { generateBatch } from "~/domain/batches/generation.server";
import { getBatch } from "~/domain/batches/reads.server";
import { createBundle, getBundle, listBundles } from "~/domain/bundles.server";
import { getClient, listClients } from "~/domain/clients/reads.server";
import { CodeNotFound } from "~/domain/codes/model.server";
import { codesCsv } from "~/domain/codes/csv.server";
import { findCode, listCodes } from "~/domain/codes/reads.server";
import { revokeCode } from "~/domain/codes/commands.server";
import { getEntitlements } from "~/domain/entitlements/answer.server";
import {
  PAYMENT_SIGNATURE_HEADER,
  verifyPaymentSignature,
} from "~/domain/invoices/payment-signature.server";
import { receivePaymentEvent } from "~/domain/invoices/payments.server";
import { tryClaimCode } from "~/domain/redemption.server";
import { getStatementPdf, type StatementPdf } from "~/domain/statement-pdf.server";
import { listStatements } from "~/domain/statements/reads.server";
import { StatementNotFound } from "~/domain/statements/model.server";
import { recordCardOperations } from "~/domain/usage.server";
import { env } from "~/env.server";
import { enqueueBatchGeneration } from "~/jobs/queue.server";
import { csvDownload, pdfDownload } from "~/lib/downloads.server";
import { isUuid } from "~/lib/ids";
import { RendererBusy } from "~/pdf/render.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  WebhookEndpointNotFound,
} from "~/domain/webhooks/endpoints.server";
import { getWebhookEndpoint, listWebhookEndpoints } from "~/domain/webhooks/reads.server";
import { endpoints } from "./endpoints.server";
import { parseApiInput, parseJsonText, readBodyText } from "./json.server";
import { openApiDocument } from "./openapi.server";
import { ApiProblem, cardOperationProblem, notFoundProblem } from "./problem.server";
import {
  createApiRouter,
  errorResponse,
  reply,
  route,
  writeRoute,
  type ApiRoute,
} from "./router.server";
import {
  API_BASE,
  batchJson,
  batchUrl,
  bundleJson,
  cardOperationJson,
  claimJson,
  clientDetailJson,
  clientJson,
  codeJson,
  entitlementsJson,
  generatedCodeJson,
  statementJson,
  webhookEndpointJson,
} from "./serialize.server";

const e = endpoints;

/** A payment event is a small JSON object; anything larger is refused unread. */
const MAX_PAYMENT_EVENT_BYTES = 64 * 1024;

export const apiRoutes: ApiRoute[] = [
  route(e.listBundles, async ({ auth, query }) => {
    const page = await listBundles(db, {
      now: clock(),
      partnerId: auth.partner.id,
      status: query.status,
      cursor: query.cursor ?? null,
      limit: query.limit,
    });
    return reply(e.listBundles, 200, {
      data: page.rows.map(bundleJson),
      next_cursor: page.nextCursor,
    });
  }),

  route(e.createBundle, async ({ auth, context, body }) => {
    const bundle = await createBundle(db, {
      now: clock(),
      partnerId: auth.partner.id,
      input: await body(),
      actor: auth.actor,
      ip: context.clientIp,
    });
    return reply(e.createBundle, 201, bundleJson(bundle), {
      Location: `${API_BASE}/bundles/${bundle.id}`,
    });
  }),

  route(e.getBundle, async ({ auth, params }) => {
    const bundle = await getBundle(db, {
      now: clock(),
      partnerId: auth.partner.id,
      bundleId: params.id,
    });
    if (!bundle) throw notFoundProblem("No such bundle.");
    return reply(e.getBundle, 200, bundleJson(bundle));
  }),

  route(e.generateCodes, async ({ auth, context, params, body }) => {
    const { batch, codes } = await generateBatch(db, {
      now: clock(),
      partnerId: auth.partner.id,
      bundleId: params.id,
      input: await body(),
      actor: auth.actor,
      ip: context.clientIp,
    });
    const location = { Location: batchUrl(batch.id) };
    if (codes) {
      return reply(
        e.generateCodes,
        201,
        { batch: batchJson(batch), codes: codes.map((code) => generatedCodeJson(code, batch)) },
        location,
      );
    }
    // After the batch's transaction committed: the job must find the batch.
    await enqueueBatchGeneration(batch.id);
    return reply(e.generateCodes, 202, { batch: batchJson(batch) }, location);
  }),

  route(e.getBatch, async ({ auth, params }) => {
    const batch = await getBatch(db, { partnerId: auth.partner.id, batchId: params.id });
    if (!batch) throw notFoundProblem("No such batch.");
    return reply(e.getBatch, 200, batchJson(batch));
  }),

  route(e.getBatchCodesCsv, async ({ auth, params }) => {
    const batch = await getBatch(db, { partnerId: auth.partner.id, batchId: params.id });
    if (!batch) throw notFoundProblem("No such batch.");
    if (batch.status !== "ready") {
      throw new ApiProblem(
        "batch_not_ready",
        batch.status === "failed"
          ? "The batch failed and has no codes."
          : `The batch is still being generated (${batch.generatedCount} of ${batch.codeCount}); poll it until its status is ready.`,
      );
    }
    const stream = codesCsv(db, {
      now: clock(),
      partnerId: auth.partner.id,
      filter: { batchId: batch.id },
    });
    return csvDownload(stream, `batch-${batch.id}.csv`);
  }),

  route(e.listStatements, async ({ auth }) => {
    const statements = await listStatements(db, { now: clock(), partnerId: auth.partner.id });
    return reply(e.listStatements, 200, { data: statements.map(statementJson) });
  }),

  route(e.getStatementPdf, async ({ auth, params, request }) => {
    let statement: StatementPdf;
    try {
      statement = await getStatementPdf(db, {
        partnerId: auth.partner.id,
        statementId: params.id,
        signal: request.signal,
      });
    } catch (error) {
      if (error instanceof StatementNotFound) throw notFoundProblem("No such statement.");
      if (error instanceof RendererBusy) {
        throw new ApiProblem("renderer_busy", error.message, undefined, {
          "Retry-After": "30",
        });
      }
      throw error;
    }
    return pdfDownload(statement.pdf, statement.filename);
  }),

  route(e.listCodes, async ({ auth, query }) => {
    const page = await listCodes(db, {
      now: clock(),
      partnerId: auth.partner.id,
      filter: { status: query.status, bundleId: query.bundle_id, batchId: query.batch_id },
      cursor: query.cursor ?? null,
      limit: query.limit,
    });
    return reply(e.listCodes, 200, { data: page.rows.map(codeJson), next_cursor: page.nextCursor });
  }),

  route(e.getCode, async ({ auth, params }) => {
    const code = await findCode(db, {
      now: clock(),
      partnerId: auth.partner.id,
      input: params.code,
    });
    if (!code) throw new CodeNotFound();
    return reply(e.getCode, 200, codeJson(code));
  }),

  route(e.revokeCode, async ({ auth, context, params, body }) => {
    const { reason } = await body();
    const code = await findCode(db, {
      now: clock(),
      partnerId: auth.partner.id,
      input: params.code,
    });
    if (!code) throw new CodeNotFound();
    const revoked = await revokeCode(db, {
      now: clock(),
      partnerId: auth.partner.id,
      serial: code.serial,
      reason,
      actor: auth.actor,
      ip: context.clientIp,
    });
    return reply(e.revokeCode, 200, codeJson(revoked));
  }),

  route(e.listClients, async ({ auth, query }) => {
    const page = await listClients(db, {
      now: clock(),
      partnerId: auth.partner.id,
      search: query.search,
      filter: query.filter,
      sort: query.sort,
      direction: query.direction,
      cursor: query.cursor ?? null,
      limit: query.limit,
    });
    return reply(e.listClients, 200, {
      data: page.rows.map(clientJson),
      next_cursor: page.nextCursor,
    });
  }),

  route(e.getClient, async ({ auth, params }) => {
    const client = await getClient(db, {
      now: clock(),
      partnerId: auth.partner.id,
      businessId: params.id,
    });
    return reply(e.getClient, 200, clientDetailJson(client));
  }),

  route(e.getEntitlements, async ({ params }) => {
    const entitlements = isUuid(params.id)
      ? await getEntitlements(db, { now: clock(), businessId: params.id })
      : null;
    if (!entitlements) throw notFoundProblem("No business with this id.");
    return reply(e.getEntitlements, 200, entitlementsJson(entitlements));
  }),

  writeRoute(e.recordCardOperation, async ({ db, params, body }) => {
    if (!isUuid(params.id)) throw notFoundProblem("No business with this id.");
    const operation = { ...(await body()), businessId: params.id };
    const [result] = await recordCardOperations(db, { now: clock(), operations: [operation] });
    if (!result) throw new Error("card operations: no result for the one operation sent");
    if (result.outcome === "recorded") {
      return reply(e.recordCardOperation, 201, cardOperationJson(result.operation));
    }
    if (result.outcome === "replayed") {
      return reply(e.recordCardOperation, 200, cardOperationJson(result.operation));
    }
    throw cardOperationProblem(result);
  }),

  writeRoute(e.recordCardOperationBatch, async ({ db, body }) => {
    const results = await recordCardOperations(db, { now: clock(), operations: await body() });
    return reply(e.recordCardOperationBatch, 200, {
      results: results.map((result, index) => {
        if (result.outcome === "recorded" || result.outcome === "replayed") {
          return {
            index,
            status: result.outcome === "recorded" ? (201 as const) : (200 as const),
            ...cardOperationJson(result.operation),
          };
        }
        const problem = cardOperationProblem(result);
        return {
          index,
          status: problem.status as 402 | 404 | 409,
          code: problem.code,
          detail: problem.detail,
        };
      }),
    });
  }),

  writeRoute(e.redeemCode, async ({ auth, context, db, params, body }) => {
    const businessId = params.id;
    if (!isUuid(businessId)) throw notFoundProblem("No business with this id.");
    const { code } = await body();
    // The platform claims for every business from its own address: the business's attempt
    // limit applies, not the IP's. The claim reads the owner's email (a code locked to its
    // recipient) and answers 404 for a business that does not exist (ADR 043).
    const claimed = await tryClaimCode(db, {
      now: clock(),
      businessId,
      code,
      actor: { ...auth.actor, onBehalfOfOwner: true },
      ip: context.clientIp,
      limitByIp: false,
    });
    // Returned, not thrown: the route's transaction commits the refusal's attempt count.
    if (!claimed.ok) return errorResponse(claimed.refusal, `POST ${e.redeemCode.path}`);
    return reply(e.redeemCode, 201, claimJson(claimed.claim));
  }),

  route(e.listWebhookEndpoints, async ({ auth }) => {
    const list = await listWebhookEndpoints(db, { partnerId: auth.partner.id });
    return reply(e.listWebhookEndpoints, 200, { data: list.map(webhookEndpointJson) });
  }),

  route(e.createWebhookEndpoint, async ({ auth, context, body }) => {
    const input = await body();
    const created = await createWebhookEndpoint(db, {
      partnerId: auth.partner.id,
      url: input.url,
      events: input.events,
      actor: auth.actor,
      ip: context.clientIp,
    });
    const endpoint = await getWebhookEndpoint(db, {
      endpointId: created.id,
      partnerId: auth.partner.id,
    });
    return reply(
      e.createWebhookEndpoint,
      201,
      { ...webhookEndpointJson(endpoint), secret: created.secret },
      { Location: `${API_BASE}/webhook-endpoints/${created.id}` },
    );
  }),

  route(e.deleteWebhookEndpoint, async ({ auth, context, params }) => {
    try {
      await deleteWebhookEndpoint(db, {
        endpointId: params.id,
        partnerId: auth.partner.id,
        actor: auth.actor,
        ip: context.clientIp,
      });
    } catch (error) {
      if (error instanceof WebhookEndpointNotFound) throw notFoundProblem();
      throw error;
    }
    return reply(e.deleteWebhookEndpoint, 200, { id: params.id, deleted: true });
  }),

  // The signature covers the raw bytes, so the body is read (bounded) and checked before it
  // is parsed; nothing is written for a request that fails either.
  route(e.receivePaymentEvent, async ({ request }) => {
    const now = clock();
    const text = await readBodyText(request, MAX_PAYMENT_EVENT_BYTES);
    verifyPaymentSignature({
      secret: env.PAYMENT_WEBHOOK_SECRET,
      header: request.header(PAYMENT_SIGNATURE_HEADER),
      body: text,
      now,
    });
    const event = parseApiInput(
      e.receivePaymentEvent.body,
      parseJsonText(text, request.header("content-type")),
    );
    const received = await receivePaymentEvent(db, { event, now });
    return reply(e.receivePaymentEvent, 200, {
      received: true,
      event_id: event.id,
      invoice: received.invoiceNumber,
      outcome: received.outcome,
      replayed: received.replayed,
    });
  }),
  route(e.getOpenApi, () =>
    Promise.resolve(
      reply(e.getOpenApi, 200, { ...openApiDocument(), servers: [{ url: env.PUBLIC_URL }] }),
    ),
  ),
];

/** The /api/v1 router of this process (server/http.ts mounts it before Remix). */
export const apiRouter = createApiRouter(apiRoutes);

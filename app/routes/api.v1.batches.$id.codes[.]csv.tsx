// GET /api/v1/batches/{id}/codes.csv — a ready batch's codes as CSV, streamed in keyset
// chunks (flat memory at a million codes). A batch still generating, or failed, is 409.
import { partnerApiRoute } from "~/api/handler.server";
import { ApiProblem, notFoundProblem } from "~/api/problem.server";
import { db } from "~/db.server";
import { getBatch } from "~/domain/batches/reads.server";
import { codesCsv } from "~/domain/codes/csv.server";
import { csvDownload } from "~/lib/downloads.server";
import { clock } from "~/lib/clock.server";

const route = partnerApiRoute("/api/v1/batches/{id}/codes.csv", {
  GET: async ({ params, auth }) => {
    const batch = await getBatch(db, { partnerId: auth.partner.id, batchId: params.id });
    if (!batch) throw notFoundProblem("No such batch.");
    if (batch.status !== "ready") {
      throw new ApiProblem(
        "batch_not_ready",
        409,
        batch.status === "failed"
          ? "The batch failed and has no codes."
          : `The batch is still being generated (${batch.generatedCount} of ${batch.codeCount}); poll it until its status is ready.`,
      );
    }
    const stream = codesCsv(db, {
      partnerId: auth.partner.id,
      filter: { batchId: batch.id },
      now: clock(),
    });
    return csvDownload(stream, `batch-${batch.id}.csv`);
  },
});

export const loader = route.loader;
export const action = route.action;

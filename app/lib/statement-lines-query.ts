// A statement page's `?after=N`: the last line number before the page (0 or absent: the
// first page). A value no pager link writes reads as the first page, flagged.
import { z } from "zod";

const LinesQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .optional(),
});

export function readLinesQuery(request: Request): { after: number; badPage: boolean } {
  const query = LinesQuery.safeParse(
    Object.fromEntries(new URL(request.url).searchParams.entries()),
  );
  return { after: query.success ? (query.data.after ?? 0) : 0, badPage: !query.success };
}

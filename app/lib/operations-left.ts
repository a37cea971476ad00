// How the billing page colours the plan's card-operations bar: a used-up plan allowance is
// only a warning while activation codes still hold operations; red means nothing is left.
import { progressTone } from "~/components/ProgressBar";

export type Tone = "ok" | "near" | "full";

export function planAllowanceTone({
  planUsed,
  planIncluded,
  remainingInTotal,
}: {
  planUsed: number;
  planIncluded: number;
  /** Plan and code grants together: what the business can still use this period. */
  remainingInTotal: number;
}): Tone {
  if (remainingInTotal <= 0) return "full";
  const tone = progressTone(planUsed, planIncluded);
  return tone === "full" ? "near" : tone;
}

import { describe, expect, test } from "vitest";
import { planAllowanceTone } from "./operations-left";

describe("planAllowanceTone", () => {
  test("a used-up plan with operations left on codes is a warning, not red", () => {
    expect(planAllowanceTone({ planUsed: 100, planIncluded: 100, remainingInTotal: 660 })).toBe(
      "near",
    );
  });
  test("red only when nothing is left at all", () => {
    expect(planAllowanceTone({ planUsed: 100, planIncluded: 100, remainingInTotal: 0 })).toBe(
      "full",
    );
  });
  test("otherwise the plan's own share decides", () => {
    expect(planAllowanceTone({ planUsed: 10, planIncluded: 100, remainingInTotal: 90 })).toBe("ok");
    expect(planAllowanceTone({ planUsed: 85, planIncluded: 100, remainingInTotal: 15 })).toBe(
      "near",
    );
  });
});

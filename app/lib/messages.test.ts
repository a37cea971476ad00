// Message keys are checked by the typecheck (ADR 027); these lines fail `npm run typecheck`
// if a wrong key stops being an error, and show the run-time keys the two helpers build.
import { describe, expect, test } from "vitest";
import { createI18n } from "~/i18n";
import { domainErrorMessage, labelKey, messageKey } from "./messages";

describe("typed message keys", () => {
  test("a key that is in no catalogue does not compile", () => {
    // @ts-expect-error -- not a key of any catalogue
    expect(messageKey("validation.noSuchKey")).toBe("validation.noSuchKey");
    // @ts-expect-error -- a real key under the wrong namespace
    expect(messageKey("auth:validation.required")).toBe("auth:validation.required");
    expect(messageKey("support:partner.reason")).toBe("support:partner.reason");
  });

  test("the run-time helpers build keys the catalogues have", () => {
    const i18n = createI18n("en");
    expect(i18n.exists(labelKey("common:roles", "owner"))).toBe(true);
    expect(i18n.exists(labelKey("support:plans.intervals", "month"))).toBe(true);
    expect(i18n.exists(domainErrorMessage("support:errors", "invitation_not_pending").key)).toBe(
      true,
    );
  });
});

// Which catalogue and which Intl locale a request gets.
import { describe, expect, test } from "vitest";
import { defaultLanguage, resolveLocale, supportedLanguages } from "./locale";

describe("resolveLocale", () => {
  test("English, Thai and Ukrainian have catalogues", () => {
    expect(supportedLanguages).toEqual(["en", "th", "uk"]);
    expect(defaultLanguage).toBe("en");
  });

  test("the user's own setting wins over the browser", () => {
    expect(resolveLocale("en-GB", "en-US,en;q=0.9")).toEqual({
      language: "en",
      formattingLocale: "en-GB",
    });
  });

  test("an unsupported user setting falls through to Accept-Language", () => {
    expect(resolveLocale("de-DE", "en-AU")).toEqual({
      language: "en",
      formattingLocale: "en-AU",
    });
  });

  test("no setting: the first supported Accept-Language entry, region kept", () => {
    expect(resolveLocale(null, "en-GB,en;q=0.8")).toEqual({
      language: "en",
      formattingLocale: "en-GB",
    });
    expect(resolveLocale(undefined, "en-us")).toEqual({
      language: "en",
      formattingLocale: "en-US",
    });
  });

  test("q-values order the entries, not their position", () => {
    expect(resolveLocale(null, "en-US;q=0.5, fr;q=0.9, en-GB;q=0.8").formattingLocale).toBe(
      "en-GB",
    );
    expect(resolveLocale(null, "en-US;q=0.3, en-IE").formattingLocale).toBe("en-IE");
  });

  test("q=0 means 'not this one'", () => {
    expect(resolveLocale(null, "en-GB;q=0, en-US;q=0.1").formattingLocale).toBe("en-US");
    expect(resolveLocale(null, "en-GB;q=0")).toEqual({
      language: "en",
      formattingLocale: "en",
    });
  });

  test("unsupported languages fall back to en", () => {
    expect(resolveLocale(null, "de-DE,fr;q=0.9")).toEqual({
      language: "en",
      formattingLocale: "en",
    });
    expect(resolveLocale("de", null)).toEqual({ language: "en", formattingLocale: "en" });
  });

  test.each([
    null,
    "",
    "*",
    ";;;,,,",
    "q=0.5",
    "en-GB;q=abc",
    "!!!garbage!!!",
    "x".repeat(10_000),
    "en_GB",
    "123",
  ])("garbage header %j → en, no throw", (header) => {
    const result = resolveLocale(null, header);
    expect(result.language).toBe("en");
    expect(() => new Intl.NumberFormat(result.formattingLocale)).not.toThrow();
  });

  test("a garbage user setting is ignored", () => {
    expect(resolveLocale("!!", "en-GB")).toEqual({ language: "en", formattingLocale: "en-GB" });
  });
});

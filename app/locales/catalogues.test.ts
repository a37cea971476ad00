// Every translation says everything English says, and nothing else: each key of `en` exists
// in every other catalogue, with the same {{placeholders}}, non-empty, and with exactly the
// plural forms its language needs (Intl.PluralRules). A namespace or key added to `en` fails
// here by name until it is translated (add the language's file to app/locales/<lang>/).
import { describe, expect, test } from "vitest";
import { supportedLanguages } from "~/lib/locale";
import { resources } from "./index";

type Tree = { [key: string]: string | Tree };
const pluralSuffix = /_(zero|one|two|few|many|other)$/;

/** "ns:a.b.c" → text, for every leaf of a catalogue. */
function flatten(tree: Tree, prefix: string, out = new Map<string, string>()) {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}

function catalogue(language: string): Map<string, string> {
  const namespaces = (resources as unknown as Record<string, Record<string, Tree>>)[language];
  const out = new Map<string, string>();
  for (const [ns, tree] of Object.entries(namespaces ?? {})) flatten(tree, `${ns}:`, out);
  // "ns:" + "key" joined with a dot after the colon would read "ns:.key"; tidy it.
  return new Map([...out].map(([k, v]) => [k.replace(":.", ":"), v]));
}

/**
 * A key's plural family: "codes:flash.generated_one" → "codes:flash.generated". English
 * keys with _one/_other are the plural ones; everything else must match one to one.
 */
function baseOf(key: string) {
  return key.replace(pluralSuffix, "");
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1] ?? "").sort();
}

const english = catalogue("en");
const englishPlurals = new Set(
  [...english.keys()].filter((key) => pluralSuffix.test(key)).map(baseOf),
);
const englishSingles = [...english.keys()].filter((key) => !pluralSuffix.test(key));
const others = supportedLanguages.filter((language) => language !== "en");

test("there is at least one translation to check", () => {
  expect(others.length).toBeGreaterThan(0);
});

describe.each(others)("the %s catalogue", (language) => {
  const translated = catalogue(language);
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  const expected = new Set<string>([
    ...englishSingles,
    ...[...englishPlurals].flatMap((base) => forms.map((form) => `${base}_${form}`)),
  ]);

  test("has every key of en (plural keys in this language's forms)", () => {
    const missing = [...expected].filter((key) => !translated.has(key));
    expect(missing, `missing in ${language}, translate: ${missing.join(", ")}`).toEqual([]);
  });

  test("has no key that en does not have", () => {
    const extra = [...translated.keys()].filter((key) => !expected.has(key));
    expect(
      extra,
      `extra in ${language}, not in en (or a plural form ${language} lacks): ${extra.join(", ")}`,
    ).toEqual([]);
  });

  test("has no empty text", () => {
    const empty = [...translated].filter(([, text]) => text.trim() === "").map(([key]) => key);
    expect(empty, `empty in ${language}`).toEqual([]);
  });

  test("keeps the {{placeholders}} of each en text", () => {
    const wrong: string[] = [];
    for (const [key, text] of translated) {
      const source = english.get(key) ?? english.get(`${baseOf(key)}_other`);
      if (source === undefined) continue;
      // A plural form may spell its number out ("one seat") and leave {{count}} out.
      const plural = pluralSuffix.test(key);
      const keep = (name: string) => !plural || !name.startsWith("count");
      const want = placeholders(source).filter(keep);
      const got = placeholders(text).filter(keep);
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        wrong.push(`${key}: en has ${want.join(", ") || "none"}, got ${got.join(", ") || "none"}`);
      }
    }
    expect(wrong, `placeholders differ in ${language}`).toEqual([]);
  });
});

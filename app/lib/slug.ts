// Slugs people do not have to think about: suggested from a name, shown while it is typed.

/** A partner slug from a name: "Harbour Digital" → "harbour-digital" (accents dropped). */
export function suggestSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
}

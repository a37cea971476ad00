// Only same-site paths may be redirect targets: "/partner/x" yes, "//evil.test" or "https://…" no.
// Browsers drop tabs and newlines inside URLs ("/\t/evil.test" becomes "//evil.test"), so
// any control character makes a target unsafe (and CR/LF would not fit in a header anyway).
export function safeRedirectPath(
  target: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  if (
    typeof target !== "string" ||
    !target.startsWith("/") ||
    target.startsWith("//") ||
    target.startsWith("/\\") ||
    [...target].some((c) => c <= "\u001f" || c === "\u007f")
  ) {
    return fallback;
  }
  return target;
}

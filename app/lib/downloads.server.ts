// Responses that are files or plain text rather than pages: the CSV exports, the PDFs and
// the short plain-text answers their routes give when a file cannot be made. One place for
// their headers (type, attachment name, no caching of a tenant's data).

export function plainTextResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

/** A streamed CSV download (written as it is read, never held in memory). */
export function csvDownload(body: ReadableStream<Uint8Array>, filename: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}

export function pdfDownload(pdf: Uint8Array<ArrayBuffer>, filename: string): Response {
  return new Response(pdf, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Length": String(pdf.byteLength),
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
    },
  });
}

/** Today (UTC) as YYYY-MM-DD, for export file names. */
export function fileDate(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

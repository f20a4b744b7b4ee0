// Headers on every response: a Content-Security-Policy that lets in nothing
// external but the checklist panel's origin (in frame-src), no framing by other
// sites, no MIME sniffing, no referrer to other sites.
export function securityHeaders({ dev, checklistUrl }: { dev: boolean; checklistUrl?: string }): [string, string][] {
  const checklist = checklistUrl ? new URL(checklistUrl) : null;
  // an http(s) checklist by its origin; a data: or other opaque URL by its scheme
  const frame = !checklist ? "'none'" : /^https?:$/.test(checklist.protocol) ? checklist.origin : checklist.protocol;
  const csp = [
    "default-src 'self'",
    // Next's inline bootstrap scripts need 'unsafe-inline'; its development mode also evaluates code.
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    `frame-src ${frame}`,
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
  return [
    ["Content-Security-Policy", csp],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
    ["X-Frame-Options", "SAMEORIGIN"],
  ];
}

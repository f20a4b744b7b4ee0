// The CLI's only way to Kettle: its JSON API over HTTP. No engine imports.

/** Exit codes a pipeline can branch on. */
export const EXIT = {
  finished: 0,
  rolledBack: 1,
  rollbackFailed: 2,
  refused: 3,
  timedOut: 4,
  unreachable: 5,
} as const;

/** An error that ends the command with an exit code and a message (and, for 4xx, the server's answer). */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly body?: Record<string, unknown>,
    readonly status?: number,
  ) {
    super(message);
  }
}

export type ClientOptions = { url: string; token?: string; timeoutMs?: number };

export class Client {
  readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    this.base = opts.url.replace(/\/+$/, "");
  }

  /** A page's address on the server, for people to open. */
  pageUrl(path: string): string {
    return this.base + path;
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, opts: { text?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: opts.text ? "text/plain" : "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(EXIT.unreachable, `Cannot reach Kettle at ${this.base} (${why}); set KETTLE_URL or --url`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if (!opts.text || !res.ok) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (!opts.text || !res.ok) parsed = { error: text.slice(0, 500) || res.statusText };
      }
    }
    if (res.status >= 400 && res.status < 500) {
      const b = (parsed ?? {}) as Record<string, unknown>;
      throw new CliError(EXIT.refused, String(b.error ?? res.statusText), b, res.status);
    }
    if (!res.ok) {
      const b = (parsed ?? {}) as Record<string, unknown>;
      throw new CliError(EXIT.unreachable, `Kettle answered ${res.status}: ${String(b.error ?? res.statusText)}`, b, res.status);
    }
    return parsed as T;
  }
}

// The CLI's only way to Kettle: its JSON API over HTTP. No engine imports.

/** Exit codes a pipeline can branch on. */
export const EXIT = {
  finished: 0,
  rolledBack: 1,
  rollbackFailed: 2,
  refused: 3,
  timedOut: 4,
  unreachable: 5,
  /** A rollout waited for ended superseded (a newer queued run of its kind replaced it). */
  superseded: 6,
  /** Refused because its kind is frozen (or the run would not end before the next freeze): try after the window. */
  frozen: 7,
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

  /** POSTs to `path` and writes the answer's body to `file` (which must not exist), reporting bytes as they come. */
  async download(path: string, file: string, progress: (bytes: number, total: number | null) => void): Promise<number> {
    const res = await this.send("POST", path, undefined, { accept: "application/octet-stream" }, 600_000);
    if (!res.ok) this.fail(res, await res.text());
    const { createWriteStream } = await import("node:fs");
    const out = createWriteStream(file, { flags: "wx" });
    const total = Number(res.headers.get("content-length")) || null;
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
        progress(bytes, total);
      }
    } finally {
      await new Promise<void>((r) => out.end(() => r()));
    }
    return bytes;
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, opts: { text?: boolean } = {}): Promise<T> {
    const res = await this.send(method, path, body, { accept: opts.text ? "text/plain" : "application/json" }, this.opts.timeoutMs ?? 30_000);
    const text = await res.text();
    if (!res.ok) return this.fail(res, text);
    if (opts.text) return text as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return { error: text.slice(0, 500) || res.statusText } as T;
    }
  }

  private async send(method: string, path: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    try {
      return await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(EXIT.unreachable, `Cannot reach Kettle at ${this.base} (${why}); set KETTLE_URL or --url`);
    }
  }

  /** A 4xx is a refusal (exit 3) with the server's answer; anything else not ok, unreachable (exit 5). */
  private fail(res: Response, text: string): never {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(text) as Record<string, unknown>;
    } catch {
      b = { error: text.slice(0, 500) || res.statusText };
    }
    if (res.status === 409 && b.freeze) throw new CliError(EXIT.frozen, String(b.error ?? res.statusText), b, res.status);
    if (res.status >= 400 && res.status < 500) throw new CliError(EXIT.refused, String(b.error ?? res.statusText), b, res.status);
    throw new CliError(EXIT.unreachable, `Kettle answered ${res.status}: ${String(b.error ?? res.statusText)}`, b, res.status);
  }
}

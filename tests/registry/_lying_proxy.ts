/**
 * A loopback proxy in front of a real registry that misbehaves on purpose: flips a byte of a
 * blob, truncates it, lies in `Docker-Content-Digest`, answers 500 a few times, cuts the body
 * mid-way, never answers, sends the headers (and some of the body) and then nothing, stops reading
 * uploads, drops connections before answering, or redirects blobs to another origin. It also
 * counts the blob transfers in flight at once (optionally holding each a while, so that those a
 * client starts together overlap).
 *
 * @module
 */
import { freePort } from "../_helpers/distribution.ts";

/** What the proxy does to GETs of one blob (or manifest) digest. */
export type Lie =
  | { kind: "flip"; digest: string }
  /** A byte flipped, the true Content-Length kept (the body looks complete). */
  | { kind: "flip-sized"; digest: string }
  /** The true bytes, streamed with no Content-Length. */
  | { kind: "chunked"; digest: string }
  /** The blob and 7 bytes more, with no Content-Length. */
  | { kind: "overlong"; digest: string }
  /** The blob and 7 bytes more, announced in Content-Length. */
  | { kind: "overlong-sized"; digest: string }
  | { kind: "truncate"; digest: string }
  | { kind: "digest-header"; digest: string }
  | { kind: "fail"; digest: string; times: number }
  | { kind: "cut"; digest: string }
  | { kind: "redirect"; digest: string }
  | { kind: "hang"; digest: string }
  | { kind: "fail-upload"; digest: string; times: number }
  // Lets `after` manifest PUTs through, then answers 500 to every later one.
  | { kind: "fail-manifest-put"; after: number }
  /** GETs whose path ends with `path`: the real headers and `after` body bytes, then silence. */
  | { kind: "stall"; path: string; after: number }
  /** Uploads (PATCH or PUT with a body): never read the body, never answer. */
  | { kind: "stall-upload" };

/** Resolves when either signal fires (the client went away, or the proxy stops). */
function stopped(a: AbortSignal, b: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (a.aborted || b.aborted) return resolve();
    a.addEventListener("abort", () => resolve(), { once: true });
    b.addEventListener("abort", () => resolve(), { once: true });
  });
}

function quiet(): Response {
  return new Response(null, { status: 502 });
}

/** A running proxy. */
export interface LyingProxy {
  /** `127.0.0.1:<port>` of the TCP front. */
  host: string;
  /** The current lie (mutable). */
  lie: Lie | undefined;
  /** Connections to drop before answering (counts down). */
  dropConnections: number;
  /** Authorization headers seen by the redirect target ("" when absent). */
  redirectAuth: string[];
  /** How often the lie was applied. */
  hits: number;
  /** Milliseconds each blob upload or blob GET is held before it is passed on (default 0). */
  holdMs: number;
  /** The most blob uploads (`PATCH`/`PUT` with a body) in flight at once. */
  peakUploads: number;
  /** The most blob GETs in flight at once. */
  peakBlobGets: number;
  stop(): Promise<void>;
}

/**
 * Starts the proxy in front of `upstream` (`http://127.0.0.1:<port>`); the redirect target
 * reads from upstream with `upstreamAuth` (its own credentials, as a CDN would have).
 */
export function startLyingProxy(upstream: string, upstreamAuth = ""): LyingProxy {
  const ac = new AbortController();
  const httpPort = freePort();
  const cdnPort = freePort();
  const state: LyingProxy = {
    host: "",
    lie: undefined,
    dropConnections: 0,
    redirectAuth: [],
    hits: 0,
    holdMs: 0,
    peakUploads: 0,
    peakBlobGets: 0,
    stop: async () => {},
  };
  const inFlight = { uploads: 0, gets: 0 };

  const cdn = Deno.serve(
    { hostname: "127.0.0.1", port: cdnPort, signal: ac.signal, onListen: () => {}, onError: quiet },
    async (req) => {
      state.redirectAuth.push(req.headers.get("authorization") ?? "");
      const path = new URL(req.url).pathname;
      const res = await fetch(`${upstream}${path}`, {
        headers: upstreamAuth === "" ? {} : { authorization: upstreamAuth },
      });
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  );

  const http = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: httpPort,
      signal: ac.signal,
      onListen: () => {},
      onError: quiet,
    },
    async (req) => {
      const url = new URL(req.url);
      const lie = state.lie;
      const gone = (): Promise<void> => stopped(req.signal, ac.signal);
      if (lie?.kind === "stall" && req.method === "GET" && url.pathname.endsWith(lie.path)) {
        state.hits++;
        const headers = new Headers(req.headers);
        headers.delete("host");
        const res = await fetch(`${upstream}${url.pathname}${url.search}`, { headers });
        const bytes = new Uint8Array(await res.arrayBuffer());
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            if (lie.after > 0) controller.enqueue(bytes.subarray(0, lie.after));
          },
          async pull(controller) {
            await gone();
            controller.error(new Error("stalled by the test proxy"));
          },
        });
        return new Response(body, { status: res.status, headers: res.headers });
      }
      if (
        lie?.kind === "stall-upload" && req.body !== null &&
        (req.method === "PATCH" || req.method === "PUT") &&
        url.pathname.includes("/blobs/uploads/")
      ) {
        state.hits++;
        await gone();
        return new Response(null, { status: 499 });
      }
      // An upload is completed by PUT .../blobs/uploads/<id>?digest=<digest>.
      if (
        lie?.kind === "fail-upload" && lie.times > 0 && req.method === "PUT" &&
        url.pathname.includes("/blobs/uploads/") && url.searchParams.get("digest") === lie.digest
      ) {
        lie.times--;
        state.hits++;
        await req.body?.cancel();
        return new Response('{"errors":[{"code":"UNKNOWN","message":"upload lost"}]}', {
          status: 502,
        });
      }
      if (
        lie?.kind === "fail-manifest-put" && req.method === "PUT" &&
        url.pathname.includes("/manifests/") && lie.after-- <= 0
      ) {
        state.hits++;
        await req.body?.cancel();
        return new Response('{"errors":[{"code":"UNKNOWN","message":"manifest lost"}]}', {
          status: 500,
        });
      }
      // A manifest fetched by digest is lied about as a blob is.
      const isTarget = lie !== undefined && "digest" in lie && lie.kind !== "fail-upload" &&
        req.method === "GET" &&
        (url.pathname.endsWith(`/blobs/${lie.digest}`) ||
          url.pathname.endsWith(`/manifests/${lie.digest}`));
      if (isTarget && lie.kind === "fail" && lie.times > 0) {
        lie.times--;
        state.hits++;
        return new Response('{"errors":[{"code":"UNKNOWN","message":"flaky"}]}', { status: 500 });
      }
      if (isTarget && lie.kind === "hang") {
        state.hits++;
        await new Promise((resolve) => req.signal.addEventListener("abort", resolve));
        return new Response(null, { status: 499 });
      }
      if (isTarget && lie.kind === "redirect") {
        state.hits++;
        return new Response(null, {
          status: 307,
          headers: { location: `http://127.0.0.1:${cdnPort}${url.pathname}` },
        });
      }
      const headers = new Headers(req.headers);
      headers.delete("host");
      const kind = req.body !== null && url.pathname.includes("/blobs/uploads/")
        ? "uploads"
        : req.method === "GET" && url.pathname.includes("/blobs/")
        ? "gets"
        : undefined;
      if (kind !== undefined) {
        inFlight[kind]++;
        if (kind === "uploads") state.peakUploads = Math.max(state.peakUploads, inFlight[kind]);
        else state.peakBlobGets = Math.max(state.peakBlobGets, inFlight[kind]);
        if (state.holdMs > 0) await new Promise((r) => setTimeout(r, state.holdMs));
      }
      const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
      }).finally(() => {
        if (kind !== undefined) inFlight[kind]--;
      });
      if (!isTarget || res.status !== 200 || lie.kind === "fail") {
        const out = new Headers(res.headers);
        const loc = out.get("location");
        if (loc !== null) out.set("location", loc.replace(upstream, `http://${state.host}`));
        return new Response(req.method === "HEAD" ? null : res.body, {
          status: res.status,
          headers: out,
        });
      }
      state.hits++;
      const bytes = new Uint8Array(await res.arrayBuffer());
      const out = new Headers(res.headers);
      out.delete("content-length");
      if (lie.kind === "flip") {
        bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
        return new Response(bytes, { status: 200, headers: out });
      }
      if (lie.kind === "flip-sized") {
        bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
        return new Response(bytes, { status: 200, headers: res.headers });
      }
      if (lie.kind === "chunked") {
        return new Response(new Blob([bytes]).stream(), { status: 200, headers: out });
      }
      if (lie.kind === "overlong" || lie.kind === "overlong-sized") {
        const longer = new Uint8Array(bytes.length + 7);
        longer.set(bytes);
        if (lie.kind === "overlong-sized") out.set("content-length", String(longer.length));
        // A stream, so that without a length the body goes out chunked.
        return new Response(new Blob([longer]).stream(), { status: 200, headers: out });
      }
      if (lie.kind === "truncate") {
        return new Response(bytes.subarray(0, bytes.length - 7), { status: 200, headers: out });
      }
      if (lie.kind === "digest-header") {
        out.set("docker-content-digest", `sha256:${"e".repeat(64)}`);
        return new Response(bytes, { status: 200, headers: out });
      }
      // "cut": send half, then break the connection.
      const half = bytes.subarray(0, bytes.length >> 1);
      out.set("content-length", String(bytes.length));
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(half);
          } else {
            controller.error(new Error("connection cut by the test proxy"));
          }
        },
      });
      return new Response(body, { status: 200, headers: out });
    },
  );

  // The TCP front drops connections on demand, then relays bytes to the HTTP proxy.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  state.host = `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const relays: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      if (state.dropConnections > 0) {
        state.dropConnections--;
        conn.close();
        continue;
      }
      relays.push((async () => {
        try {
          const up = await Deno.connect({ hostname: "127.0.0.1", port: httpPort });
          await Promise.allSettled([
            conn.readable.pipeTo(up.writable),
            up.readable.pipeTo(conn.writable),
          ]);
        } catch {
          // a side closed early
        }
      })());
    }
  })();
  state.stop = async () => {
    listener.close();
    await accepting.catch(() => {});
    ac.abort();
    await Promise.all([http.finished, cdn.finished]);
    await Promise.allSettled(relays);
  };
  return state;
}

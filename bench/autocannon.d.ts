// The small part of autocannon's API that the benchmark uses (the package ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";
  namespace autocannon {
    type Histogram = { average: number; mean: number; min: number; max: number; p50: number; p90: number; p99: number; total: number };
    type Result = { requests: Histogram; latency: Histogram; throughput: Histogram; errors: number; timeouts: number; non2xx: number; duration: number };
    type Options = { url: string; connections?: number; duration?: number; timeout?: number; method?: string };
  }
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): EventEmitter;
  export default autocannon;
}

// Concurrent callers asking for the same key share one in-flight promise (one upstream request).
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** Runs `fn` unless a call for `key` is already running, in which case its result is shared. */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** True while a call for `key` runs. */
  has(key: string): boolean {
    return this.inflight.has(key);
  }
}

// Drives fanout-worker.mjs: N watch streams in another thread that report when each
// of them received its k-th event.
import { Worker } from 'node:worker_threads';
import { resourceService, type WatchRequest } from '@kubesim/api';

export class FanoutWatchers {
  private readonly worker: Worker;
  private waiting?: { resolve(at: number[]): void; reject(err: Error): void };
  private failure?: Error;
  private readonly ready: Promise<void>;

  constructor(address: string, req: WatchRequest, streams: number, channels = 4) {
    this.worker = new Worker(new URL('./fanout-worker.mjs', import.meta.url), {
      workerData: { address, streams, channels, request: resourceService.Watch.requestSerialize(req) },
    });
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (msg: { type: string; at?: number[]; message?: string }) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'arrived') this.waiting?.resolve(msg.at as number[]);
        else if (msg.type === 'counts') this.waiting?.resolve(msg.at as number[]);
        else if (msg.type === 'error') {
          this.failure = new Error(`watch stream failed: ${msg.message}`);
          this.waiting?.reject(this.failure);
        }
      });
    });
  }

  /** Absolute times (performance.timeOrigin-based ms) at which each stream got its `count`-th event. */
  async arrivals(count: number, timeoutMs = 5000): Promise<number[]> {
    await this.ready;
    if (this.failure) throw this.failure;
    return new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not every stream got ${count} events within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = {
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.worker.postMessage({ type: 'await', count });
    });
  }

  /** How many events each stream has received so far. */
  async counts(): Promise<number[]> {
    await this.ready;
    return new Promise<number[]>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage({ type: 'counts' });
    });
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ type: 'stop' });
    await new Promise((r) => setTimeout(r, 50));
    await this.worker.terminate();
  }
}

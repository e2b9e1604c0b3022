// Records when assets were last downloaded (for cleanup by "last downloaded"), batched so that a read
// costs no database write on the hot path: marks are flushed every few seconds in one transaction.
import type { Db } from '../storage/database.js';

const FLUSH_MS = 5_000;

export class DownloadRecorder {
  private pending = new Map<string, { repository: string; path: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {}

  /** Notes a download of (repository, path) now. */
  mark(repository: string, path: string): void {
    this.pending.set(`${repository}\0${path}`, { repository, path, at: Date.now() });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes pending marks; safe to call any time. */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (!batch.length) return;
    await this.db.transaction().execute(async (tx) => {
      for (const m of batch) {
        await tx.updateTable('assets').set({ last_downloaded_at: m.at })
          .where('repository', '=', m.repository).where('path', '=', m.path).execute();
      }
    }).catch(() => {}); // losing a few marks on a failing database is harmless
  }
}

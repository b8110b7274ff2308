/**
 * Undo log for in-memory caches while a store transaction is open, so that a rolled-back Atomic
 * leaves memory exactly as the database. Deferred actions (events) run only after commit.
 */
export class Journal {
  private undo: Array<() => void> | null = null;
  private after: Array<() => void> = [];

  get active(): boolean {
    return this.undo !== null;
  }

  /** Record how to revert a change just made to memory (ignored outside a transaction). */
  record(fn: () => void): void {
    if (this.undo) this.undo.push(fn);
  }

  /** Run fn after commit, or now when no transaction is open. Dropped on rollback. */
  defer(fn: () => void): void {
    if (this.undo) this.after.push(fn);
    else fn();
  }

  begin(): void {
    if (this.undo) throw new Error('nested tree transaction');
    this.undo = [];
    this.after = [];
  }

  commit(): void {
    const after = this.after;
    this.undo = null;
    this.after = [];
    for (const fn of after) fn();
  }

  rollback(): void {
    const undo = this.undo ?? [];
    this.undo = null;
    this.after = [];
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
  }
}

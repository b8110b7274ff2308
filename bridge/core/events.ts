import { EventEmitter } from 'node:events';

/** Every event the bridge's modules exchange, with its payload type. */
export interface BridgeEvents {
  /**
   * A tree node changed (added, replaced, deleted) by a principal (null = local/system). The
   * inventory also emits Add / Replace / Delete for ./GwMO/DevInventory/Devices/<DevID> when a
   * device joins / changes / leaves (the node itself stays, offline), with `alerted`: the accounts
   * its device-event alert already went to, which a SUB must not alert a second time.
   */
  'tree.changed': { uri: string; op: 'Add' | 'Replace' | 'Delete'; by: string | null; alerted?: readonly string[] };
  /** A ./Bridge setting changed. */
  'settings.changed': { key: string; value: string };
  /** A DMAcc account was added, changed or deleted (through DM or at start from the config). */
  'account.changed': { account: string; serverId: string; op: 'Add' | 'Replace' | 'Delete' };
}

export class TypedEmitter<E extends object> {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(100);
  }
  on<K extends keyof E & string>(event: K, fn: (payload: E[K]) => void): () => void {
    this.ee.on(event, fn);
    return () => this.ee.off(event, fn);
  }
  emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    this.ee.emit(event, payload);
  }
}

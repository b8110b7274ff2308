/**
 * Reassembly of the client's chunked items for the reference server (PROTOCOL.md §2.4): chunks of
 * one command (same key, e.g. Results MsgRef/CmdRef) are joined until the item without MoreData;
 * Meta/Size (first chunk) is checked against the UTF-8 byte length of the whole data (or of the
 * decoded bytes for b64). A different command arriving while an item is open is a protocol error
 * (the receiver would answer Alert 1225): it is recorded and the open object dropped.
 */
import type { AlertCommand, Item, ResultsCommand } from '../../bridge/dm/message.js';

export type Chunkable = ResultsCommand | AlertCommand;

interface Open {
  key: string;
  cmd: Chunkable;
  /** Index of the item being chunked, its declared Size and format. */
  index: number;
  size: number | undefined;
  b64: boolean;
}

export class Reassembler {
  private open: Open | null = null;
  readonly errors: string[] = [];

  /** True while a chunked item is waiting for its next chunk. */
  get pending(): boolean {
    return this.open !== null;
  }

  /** Feed one command; returns it whole when complete, null while its last item is still chunked. */
  feed<C extends Chunkable>(c: C, key: string): C | null {
    let cmd: Chunkable;
    if (this.open && this.open.key === key) {
      const o = this.open;
      const [first, ...others] = c.items;
      const last = o.cmd.items[o.cmd.items.length - 1] as Item;
      const joined: Item = { ...last, data: (last.data ?? '') + (first?.data ?? '') };
      if (first?.moreData) joined.moreData = true;
      else delete joined.moreData;
      cmd = { ...o.cmd, items: [...o.cmd.items.slice(0, -1), joined, ...others] };
      if (!first?.moreData && !this.check(o, joined)) {
        this.open = null;
        return null;
      }
    } else {
      if (this.open) this.errors.push(`${key} arrived before the last chunk of ${this.open.key} (1225)`);
      this.open = null;
      cmd = { ...c, items: [...c.items] };
    }
    const tail = cmd.items[cmd.items.length - 1];
    if (tail?.moreData) {
      const continuing = this.open !== null && this.open.index === cmd.items.length - 1;
      if (continuing) this.open = { ...(this.open as Open), cmd };
      else {
        if (tail.meta?.size === undefined) this.errors.push(`${key}: first chunk without Meta/Size`);
        this.open = { key, cmd, index: cmd.items.length - 1, size: tail.meta?.size, b64: tail.meta?.format === 'b64' };
      }
      return null;
    }
    this.open = null;
    return cmd as C;
  }

  /** The client's package ended (Final) with an item still open. */
  finish(): void {
    if (this.open) this.errors.push(`${this.open.key}: package ended before the last chunk`);
    this.open = null;
  }

  private check(o: Open, item: Item): boolean {
    const data = item.data ?? '';
    const bytes = Buffer.byteLength(data, 'utf8');
    const decoded = o.b64 ? Buffer.from(data, 'base64').length : bytes;
    if (o.size !== undefined && bytes !== o.size && decoded !== o.size) {
      this.errors.push(`${o.key}: received ${bytes} bytes, Meta/Size said ${o.size} (424)`);
      return false;
    }
    return true;
  }
}

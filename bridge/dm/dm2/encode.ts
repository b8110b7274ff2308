import type { ClientPackage, Dm2Command, ServerPackage } from './types.js';

/** A server package as sent by a server (only valid commands; the reference server's side). */
export interface OutgoingServerPackage {
  dm: '2.0';
  sid: string;
  msg: number;
  cmds: Dm2Command[];
}

/** Encode a package as UTF-8 JSON (the binding's field names and order). */
export function encodePackage(p: ClientPackage | ServerPackage | OutgoingServerPackage): Buffer {
  return Buffer.from(JSON.stringify(p), 'utf8');
}

/** Device category, manufacturer and model from what discovery saw. */

const MDNS_TYPES: Record<string, string> = {
  '_ipp._tcp': 'Printer', '_ipps._tcp': 'Printer', '_printer._tcp': 'Printer', '_pdl-datastream._tcp': 'Printer',
  '_scanner._tcp': 'Scanner', '_uscan._tcp': 'Scanner',
  '_googlecast._tcp': 'MediaRenderer', '_airplay._tcp': 'MediaRenderer', '_raop._tcp': 'Speaker', '_spotify-connect._tcp': 'Speaker',
  '_hap._tcp': 'HomeAccessory', '_matter._tcp': 'HomeAccessory', '_matterc._udp': 'HomeAccessory',
  '_smb._tcp': 'Computer', '_sftp-ssh._tcp': 'Computer', '_ssh._tcp': 'Computer', '_workstation._tcp': 'Computer',
  '_device-info._tcp': 'Device', '_http._tcp': 'WebDevice', '_https._tcp': 'WebDevice',
};

/** Most specific first: a printer that also serves HTTP is a Printer. */
const RANK = ['Printer', 'Scanner', 'MediaServer', 'MediaRenderer', 'Speaker', 'HomeAccessory', 'Computer', 'WebDevice', 'Device'];

export function mdnsCategory(serviceType: string): string {
  return MDNS_TYPES[serviceType] ?? 'Device';
}

/** "urn:schemas-upnp-org:device:MediaServer:1" -> "MediaServer". */
export function upnpCategory(deviceType: string): string {
  const m = /:device:([A-Za-z0-9_-]{1,64}):\d+$/.exec(deviceType);
  return m ? m[1]! : 'UPnPDevice';
}

/** The more specific of two categories. */
export function pickCategory(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  const ra = RANK.indexOf(a);
  const rb = RANK.indexOf(b);
  if (ra === -1) return a; // a UPnP device type is specific
  if (rb === -1) return b;
  return ra <= rb ? a : b;
}

/** Manufacturer and model from common TXT keys (IPP, AirPlay, Cast, device-info). */
export function txtIdentity(txt: Readonly<Record<string, string>>): { manufacturer: string; model: string } {
  const manufacturer = txt.usb_mfg ?? txt.manufacturer ?? txt.mfg ?? '';
  let model = txt.usb_mdl ?? txt.model ?? txt.mdl ?? txt.md ?? txt.am ?? '';
  if (model === '' && txt.ty !== undefined) model = txt.ty;
  if (model === '' && txt.product !== undefined) model = txt.product.replace(/^\((.*)\)$/, '$1');
  return { manufacturer: manufacturer.slice(0, 128), model: model.slice(0, 128) };
}

/** A GroupID from a category or protocol name. */
export function groupId(kind: 'type' | 'protocol', name: string): string {
  return `${kind}-${name.replace(/[^A-Za-z0-9._~-]/g, '-').slice(0, 64) || 'unknown'}`;
}

/**
 * The TXT keys kept per mDNS service for adapters (the rest is dropped: rows stay small and a TXT
 * change adapters do not read raises no device event). `rp`: the IPP resource path.
 */
export const TXT_KEYS: readonly string[] = ['rp'];

/** The kept TXT keys of one service, undefined when it has none of them. */
export function keptTxt(txt: Readonly<Record<string, string>>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const k of TXT_KEYS) {
    const v = txt[k];
    if (v !== undefined) (out ??= {})[k] = v;
  }
  return out;
}

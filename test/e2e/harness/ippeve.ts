// A real IPP Everywhere printer for e2e tests (TESTING.md "ippeveprinter"): ippeveprinter registers
// its services through avahi's D-Bus API, so each printer host runs its own system dbus-daemon and
// avahi-daemon in a private mount namespace (tmpfs over /run/dbus and /run/avahi-daemon, a private
// folder over /etc/avahi/services), then ippeveprinter in the foreground. Spawn the returned command
// in the host's namespace; killing the namespace's processes ends it (the mounts go with them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IPP_PORT = 8631;

export interface PrinterOptions {
  /** Unique per namespace: the mDNS host name (and the certificate's CN with tls). */
  hostName: string;
  /** The printer (and mDNS instance) name: unique on the LAN. */
  name: string;
  manufacturer: string;
  model: string;
  /**
   * Give ippeveprinter a key folder (-K): it makes a self-signed certificate there and answers TLS.
   * Without one it still advertises `_ipps._tcp` but resets every handshake ("Unable to create server credentials").
   */
  tls: boolean;
}

/** [command, args] that start dbus + avahi + ippeveprinter; files live in `dir`. */
export function ippevePrinter(dir: string, o: PrinterOptions): [string, string[]] {
  for (const d of ['services', 'spool', 'keys']) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, 'avahi.conf');
  writeFileSync(conf, [
    '[server]', `host-name=${o.hostName}`, 'domain-name=local', 'use-ipv4=yes', 'use-ipv6=no', 'allow-interfaces=eth0', 'enable-dbus=yes',
    '[wide-area]', 'enable-wide-area=no',
    '[publish]', 'publish-hinfo=no', 'publish-workstation=no', 'publish-aaaa-on-ipv4=no', '',
  ].join('\n'));
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = join(dir, 'printer.sh');
  writeFileSync(script, [
    'set -e',
    'mount -t tmpfs tmpfs /run/dbus',
    'mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon',
    `mount --bind ${q(join(dir, 'services'))} /etc/avahi/services`,
    'dbus-daemon --system --fork --nopidfile',
    `avahi-daemon -f ${q(conf)} --no-drop-root --no-chroot --no-rlimits &`,
    'for i in $(seq 100); do avahi-daemon -c && break; sleep 0.05; done',
    `exec ippeveprinter -p ${IPP_PORT} -d ${q(join(dir, 'spool'))}${o.tls ? ` -K ${q(join(dir, 'keys'))}` : ''} -M ${q(o.manufacturer)} -m ${q(o.model)} -f application/pdf,image/pwg-raster ${q(o.name)}`,
    '',
  ].join('\n'));
  return ['unshare', ['-m', '--propagation', 'private', 'bash', script]];
}

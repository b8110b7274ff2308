import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MINIDLNA_UUID = '4d696e69-444c-164e-9d41-0a0b0c0d0e01';

/** A minidlna config in `dir` (fixed uuid so the UDN is stable; eth0 inside the host namespace). */
export function minidlnaConfig(dir: string, notifyInterval = 30): string {
  mkdirSync(join(dir, 'media'), { recursive: true });
  mkdirSync(join(dir, 'db'), { recursive: true });
  const conf = join(dir, 'minidlna.conf');
  writeFileSync(conf, [
    `media_dir=A,${join(dir, 'media')}`, `db_dir=${join(dir, 'db')}`, `log_dir=${dir}`, 'network_interface=eth0', 'port=8200',
    'friendly_name=LabMediaServer', 'inotify=no', `notify_interval=${notifyInterval}`, `uuid=${MINIDLNA_UUID}`, '',
  ].join('\n'));
  return conf;
}

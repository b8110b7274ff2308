/** A throwaway PKI for TLS tests, made with the openssl command line (CA, server cert for 127.0.0.1, client cert). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caCertPath: string;
  serverKey: string;
  serverCert: string;
  clientKeyPath: string;
  clientCertPath: string;
  otherCaCertPath: string;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-pki-'));
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`));
  };
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`));
    ssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p(`${name}.ext`), '-out', p(`${name}.crt`));
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: readFileSync(p('ca.crt'), 'utf8'),
    caCertPath: p('ca.crt'),
    serverKey: readFileSync(p('server.key'), 'utf8'),
    serverCert: readFileSync(p('server.crt'), 'utf8'),
    clientKeyPath: p('client.key'),
    clientCertPath: p('client.crt'),
    otherCaCertPath: p('other-ca.crt'),
  };
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, configWarnings, defaultConfig, LIVE_KEYS, loadConfig, parseConfig } from '../../../bridge/config.js';

const DEFAULT_SERVICE_TYPES = [
  '_http._tcp', '_ipp._tcp', '_ipps._tcp', '_printer._tcp', '_googlecast._tcp', '_airplay._tcp', '_raop._tcp',
  '_hap._tcp', '_matter._tcp', '_device-info._tcp', '_workstation._tcp', '_smb._tcp', '_sftp-ssh._tcp',
];

/** A minimal valid authority; `over` replaces keys (shallow). */
function authority(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account: 'isp',
    serverId: 'dm.isp.example',
    protocol: 'dm1.2',
    serverUri: 'https://dm.isp.example/dm',
    auth: { type: 'DIGEST', clientName: 'gw-1', clientSecret: 's3cret' },
    ...over,
  };
}

function fails(obj: unknown, message: string | RegExp): void {
  assert.throws(() => parseConfig(obj), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('config defaults', () => {
  test('config/default.json is the embedded default and is valid', () => {
    const raw = JSON.parse(readFileSync(new URL('../../../config/default.json', import.meta.url), 'utf8')) as unknown;
    assert.deepEqual(parseConfig(raw), defaultConfig());
  });

  test('empty object, undefined and null give the defaults', () => {
    const d = parseConfig({});
    assert.deepEqual(parseConfig(undefined), d);
    assert.deepEqual(parseConfig(null), d);
    assert.equal(d.store.path, 'data/bridge.db');
    assert.deepEqual(d.api, { host: '127.0.0.1', port: 7800, token: null });
    assert.equal(d.discovery.mdns, true);
    assert.equal(d.discovery.ssdp, true);
    assert.deepEqual(d.discovery.interfaces, []);
    assert.equal(d.discovery.ttlSeconds, 1800);
    assert.deepEqual(d.discovery.serviceTypes, DEFAULT_SERVICE_TYPES);
    assert.deepEqual(d.authorities, []);
    assert.equal(d.log.level, 'info');
    assert.deepEqual(d.tree, { maxDepth: 32, maxTotLen: 1024, maxSegLen: 255 });
  });

  test('defaultConfig returns a fresh copy each time', () => {
    const a = defaultConfig();
    a.api.port = 1;
    assert.equal(defaultConfig().api.port, 7800);
  });

  test('live keys are listed', () => {
    assert.ok(LIVE_KEYS.includes('log.level'));
    assert.ok(!LIVE_KEYS.includes('api.port'));
  });
});

describe('config merge', () => {
  test('a partial object is merged key by key', () => {
    const c = parseConfig({ api: { port: 9000 }, discovery: { mdns: false } });
    assert.deepEqual(c.api, { host: '127.0.0.1', port: 9000, token: null });
    assert.equal(c.discovery.mdns, false);
    assert.equal(c.discovery.ssdp, true);
    assert.equal(c.discovery.serviceTypes.length, 13);
  });

  test('arrays replace the default', () => {
    const c = parseConfig({ discovery: { serviceTypes: ['_ipp._tcp'], interfaces: ['eth0'] } });
    assert.deepEqual(c.discovery.serviceTypes, ['_ipp._tcp']);
    assert.deepEqual(c.discovery.interfaces, ['eth0']);
  });

  test('null sets optional values; token may be a string', () => {
    assert.equal(parseConfig({ api: { token: 'abc' } }).api.token, 'abc');
    assert.equal(parseConfig({ api: { token: null } }).api.token, null);
  });

  test('an authority takes defaults for the keys it leaves out', () => {
    const [a] = parseConfig({ authorities: [authority()] }).authorities;
    assert.ok(a);
    assert.equal(a.encoding, 'xml');
    assert.equal(a.notifyUri, null);
    assert.equal(a.auth.serverSecret, null);
    assert.equal(a.pollSeconds, 86400);
    assert.deepEqual(a.tls, { ca: null, pinSha256: null, cert: null, key: null });
    assert.equal(a.bootstrap, false);
  });

  test('the full example of ARCHITECTURE.md and config/example-isp.json are valid', () => {
    const ex = JSON.parse(readFileSync(new URL('../../../config/example-isp.json', import.meta.url), 'utf8')) as unknown;
    const c = parseConfig(ex);
    assert.equal(c.authorities.length, 2);
    assert.equal(c.authorities[1]?.protocol, 'dm2.0');
    assert.equal(c.authorities[0]?.notifyUri, 'wss://dm.isp.example/notify');
  });

  test('tree limits accept 0 (unlimited)', () => {
    assert.deepEqual(parseConfig({ tree: { maxDepth: 0, maxTotLen: 0, maxSegLen: 0 } }).tree, {
      maxDepth: 0, maxTotLen: 0, maxSegLen: 0,
    });
  });
});

describe('config errors name the key', () => {
  test('unknown keys at every level', () => {
    fails({ bogus: 1 }, 'config: bogus: unknown key');
    fails({ api: { foo: 1 } }, 'config: api.foo: unknown key');
    fails({ authorities: [authority({ extra: true })] }, 'config: authorities[0].extra: unknown key');
    fails({ authorities: [authority({ auth: { type: 'BASIC', clientName: 'a', clientSecret: 'b', pw: 1 } })] },
      'config: authorities[0].auth.pw: unknown key');
    fails({ authorities: [authority({ tls: { ca: null, crl: 'x' } })] }, 'config: authorities[0].tls.crl: unknown key');
  });

  test('wrong types', () => {
    fails({ api: { port: 'x' } }, 'config: api.port: expected number, got "x"');
    fails({ api: { port: 70000 } }, 'config: api.port: expected at most 65535, got 70000');
    fails({ api: { port: 1.5 } }, /^config: api\.port: /);
    fails({ api: 5 }, 'config: api: expected object, got 5');
    fails([1], 'config: (root): expected an object, got an array');
    fails({ discovery: { mdns: 'yes' } }, 'config: discovery.mdns: expected boolean, got "yes"');
    fails({ discovery: { ttlSeconds: 0 } }, 'config: discovery.ttlSeconds: expected >= 1, got 0');
    fails({ discovery: { serviceTypes: ['ipp'] } }, /^config: discovery\.serviceTypes\[0\]: expected a service type/);
    fails({ store: { path: '' } }, 'config: store.path: expected a non-empty string');
    fails({ tree: { maxDepth: -1 } }, 'config: tree.maxDepth: expected >= 0, got -1');
  });

  test('enums', () => {
    fails({ log: { level: 'loud' } }, 'config: log.level: expected one of fatal|error|warn|info|debug|trace|silent, got "loud"');
    fails({ authorities: [authority({ protocol: 'dm1.3' })] }, 'config: authorities[0].protocol: expected one of dm1.2|dm2.0, got "dm1.3"');
    fails({ authorities: [authority({ encoding: 'json' })] }, 'config: authorities[0].encoding: expected one of xml|wbxml, got "json"');
  });

  test('required authority keys', () => {
    const { serverId: _drop, ...noServerId } = authority();
    fails({ authorities: [noServerId] }, 'config: authorities[0].serverId: required (string)');
    fails({ authorities: [authority({ auth: { type: 'BASIC', clientName: 'a' } })] },
      'config: authorities[0].auth.clientSecret: required (string)');
  });

  test('auth.type depends on the protocol', () => {
    fails({ authorities: [authority({ auth: { type: 'FOO', clientName: 'a', clientSecret: 'b' } })] },
      'config: authorities[0].auth.type: expected one of BASIC|DIGEST|HMAC|TRANSPORT, got "FOO"');
    fails({ authorities: [authority({ auth: { type: 'HTTP-DIGEST', clientName: 'a', clientSecret: 'b' } })] },
      'config: authorities[0].auth.type: expected one of BASIC|DIGEST|HMAC|TRANSPORT, got "HTTP-DIGEST"');
    fails({ authorities: [authority({ protocol: 'dm2.0', auth: { type: 'DIGEST', clientName: 'a', clientSecret: 'b' } })] },
      'config: authorities[0].auth.type: expected one of HTTP-BASIC|HTTP-DIGEST|TRANSPORT, got "DIGEST"');
    for (const type of ['BASIC', 'DIGEST', 'HMAC']) {
      assert.equal(parseConfig({ authorities: [authority({ auth: { type, clientName: 'a', clientSecret: 'b' } })] }).authorities[0]?.auth.type, type);
    }
    for (const type of ['HTTP-BASIC', 'HTTP-DIGEST']) {
      const c = parseConfig({ authorities: [authority({ protocol: 'dm2.0', auth: { type, clientName: 'a', clientSecret: 'b' } })] });
      assert.equal(c.authorities[0]?.auth.type, type);
    }
  });

  test('TRANSPORT needs a client certificate and https', () => {
    const transport = { type: 'TRANSPORT', clientName: 'a', clientSecret: 'b' };
    fails({ authorities: [authority({ auth: transport })] }, /^config: authorities\[0\]\.tls\.cert: TRANSPORT auth needs a client certificate/);
    const tls = { cert: '/etc/dm/cert.pem', key: '/etc/dm/key.pem' };
    assert.equal(parseConfig({ authorities: [authority({ auth: transport, tls })] }).authorities[0]?.tls.cert, '/etc/dm/cert.pem');
    assert.equal(parseConfig({ authorities: [authority({ protocol: 'dm2.0', auth: transport, tls })] }).authorities[0]?.auth.type, 'TRANSPORT');
    fails({ authorities: [authority({ auth: transport, tls, serverUri: 'http://lab/dm' })] },
      'config: authorities[0].serverUri: TRANSPORT auth needs an https:// URI');
    fails({ authorities: [authority({ tls: { cert: '/c.pem' } })] }, 'config: authorities[0].tls: cert and key go together');
  });

  test('wbxml is dm1.2 only', () => {
    assert.equal(parseConfig({ authorities: [authority({ encoding: 'wbxml' })] }).authorities[0]?.encoding, 'wbxml');
    fails({ authorities: [authority({ protocol: 'dm2.0', encoding: 'wbxml', auth: { type: 'HTTP-BASIC', clientName: 'a', clientSecret: 'b' } })] },
      'config: authorities[0].encoding: "wbxml" applies to dm1.2 only');
  });

  test('account names are URI segments', () => {
    for (const bad of ['a/b', 'a b', '', 'ä', 'x?y']) {
      fails({ authorities: [authority({ account: bad })] }, /^config: authorities\[0\]\.account: expected a URI segment/);
    }
    for (const good of ['isp', 'A-b_c.d~e', '0']) {
      assert.equal(parseConfig({ authorities: [authority({ account: good })] }).authorities[0]?.account, good);
    }
  });

  test('accounts and serverIds are unique', () => {
    fails({ authorities: [authority(), authority({ serverId: 'other' })] }, 'config: authorities[1].account: duplicate account "isp"');
    fails({ authorities: [authority(), authority({ account: 'other' })] }, 'config: authorities[1].serverId: duplicate serverId "dm.isp.example"');
    assert.equal(parseConfig({ authorities: [authority(), authority({ account: 'b', serverId: 'b' })] }).authorities.length, 2);
  });

  test('URIs: schemes and syntax', () => {
    fails({ authorities: [authority({ serverUri: 'ftp://x/dm' })] }, 'config: authorities[0].serverUri: expected a https:// or http:// URI, got "ftp://x/dm"');
    fails({ authorities: [authority({ serverUri: 'wss://x/dm' })] }, /serverUri: expected a https:\/\/ or http:\/\//);
    fails({ authorities: [authority({ serverUri: 'not a uri' })] }, /^config: authorities\[0\]\.serverUri: expected an absolute https:\/\//);
    fails({ authorities: [authority({ notifyUri: 'https://x/n' })] }, 'config: authorities[0].notifyUri: expected a wss:// or ws:// URI, got "https://x/n"');
    assert.equal(parseConfig({ authorities: [authority({ serverUri: 'http://lab:8080/dm', notifyUri: 'ws://lab/n' })] }).authorities[0]?.notifyUri, 'ws://lab/n');
  });

  test('pinSha256 format', () => {
    const hex = 'ab'.repeat(32);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    assert.equal(parseConfig({ authorities: [authority({ tls: { pinSha256: hex } })] }).authorities[0]?.tls.pinSha256, hex);
    assert.equal(parseConfig({ authorities: [authority({ tls: { pinSha256: b64 } })] }).authorities[0]?.tls.pinSha256, b64);
    fails({ authorities: [authority({ tls: { pinSha256: 'abc' } })] }, /^config: authorities\[0\]\.tls\.pinSha256: expected a SHA-256/);
  });

  test('several problems are reported on one line with a count', () => {
    fails({ api: { port: 'x', host: 1 } }, /^config: api\.\w+: .* \(and 1 more\)$/);
  });
});

describe('plain transports are flagged', () => {
  test('http:// and ws:// produce warnings, https:// and wss:// do not', () => {
    const plain = parseConfig({ authorities: [authority({ serverUri: 'http://lab/dm', notifyUri: 'ws://lab/n' })] });
    const w = configWarnings(plain);
    assert.equal(w.length, 2);
    assert.match(w[0] ?? '', /serverUri uses plain http/);
    assert.match(w[1] ?? '', /notifyUri uses plain ws/);
    assert.deepEqual(configWarnings(parseConfig({ authorities: [authority({ notifyUri: 'wss://x/n' })] })), []);
  });

  test('an API on a non-loopback address without a token is flagged', () => {
    assert.equal(configWarnings(parseConfig({ api: { host: '0.0.0.0' } })).length, 1);
    assert.deepEqual(configWarnings(parseConfig({ api: { host: '0.0.0.0', token: 't' } })), []);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  test('no file and no env: the defaults', () => {
    assert.deepEqual(loadConfig({ env: {} }), defaultConfig());
  });

  test('--config file wins over DM_BRIDGE_CONFIG', () => {
    const a = write('a.json', JSON.stringify({ api: { port: 1111 } }));
    const b = write('b.json', JSON.stringify({ api: { port: 2222 } }));
    assert.equal(loadConfig({ file: a, env: { DM_BRIDGE_CONFIG: b } }).api.port, 1111);
    assert.equal(loadConfig({ env: { DM_BRIDGE_CONFIG: b } }).api.port, 2222);
  });

  test('DM_BRIDGE_LOG_LEVEL overrides log.level', () => {
    const a = write('lvl.json', JSON.stringify({ log: { level: 'warn' } }));
    assert.equal(loadConfig({ file: a, env: { DM_BRIDGE_LOG_LEVEL: 'debug' } }).log.level, 'debug');
    assert.equal(loadConfig({ file: a, env: {} }).log.level, 'warn');
    assert.throws(() => loadConfig({ env: { DM_BRIDGE_LOG_LEVEL: 'loud' } }), /log\.level/);
  });

  test('an unreadable file is one clear line', () => {
    const missing = join(dir, 'missing.json');
    assert.throws(() => loadConfig({ file: missing, env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, `config: cannot read ${missing} (ENOENT)`);
      return true;
    });
    assert.throws(() => loadConfig({ file: dir, env: {} }), { message: /^config: cannot read .* \(EISDIR\)$/ });
  });

  test('bad JSON is one clear line', () => {
    const bad = write('bad.json', '{ "api": { "port": 1, }\n}\n');
    assert.throws(() => loadConfig({ file: bad, env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^config: .*bad\.json is not valid JSON: /);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  test('a file with an unknown key names it', () => {
    const f = write('unknown.json', JSON.stringify({ discovery: { mdnss: true } }));
    assert.throws(() => loadConfig({ file: f, env: {} }), { message: 'config: discovery.mdnss: unknown key' });
  });
});

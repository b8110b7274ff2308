import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  basicAuthorization, digestAuthorization, digestResponse, parseAuthHeader, parseDigestChallenge,
} from '../../../bridge/dm/session/dm2/http-auth.js';

/** RFC 7616 §3.9.1: GET /dir/index.html, Mufasa / "Circle of Life". */
const V = {
  username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', method: 'GET', uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
};

describe('HTTP Digest (RFC 7616) and Basic', () => {
  test('RFC 7616 §3.9.1 vectors: MD5 and SHA-256', () => {
    assert.equal(digestResponse('MD5', V), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(digestResponse('SHA-256', V), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  test('the RFC challenge header parses; SHA-256 is preferred over MD5', () => {
    const h = [
      `Digest realm="${V.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${V.nonce}", opaque="${V.opaque}"`,
      `Digest realm="${V.realm}", qop="auth, auth-int", algorithm=MD5, nonce="${V.nonce}", opaque="${V.opaque}"`,
    ];
    assert.deepEqual(parseDigestChallenge(h), { realm: V.realm, nonce: V.nonce, opaque: V.opaque, algorithm: 'SHA-256', stale: false });
    assert.equal(parseDigestChallenge(h.reverse().join(', '))?.algorithm, 'SHA-256');
    assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"'), undefined, 'auth not offered');
    assert.equal(parseDigestChallenge('Basic realm="r"'), undefined);
    assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", qop=auth, stale=TRUE')?.stale, true);
    for (const junk of ['', '=', 'Digest', '"', 'Digest ,,, =x', 'a=b', 'Digest realm="unterminated']) assert.doesNotThrow(() => parseDigestChallenge(junk));
  });

  test('authorization: response matches the vector, nc goes up with each use, quoted values escaped', () => {
    const ch = parseDigestChallenge(`Digest realm="${V.realm}", qop="auth", algorithm=MD5, nonce="${V.nonce}", opaque="${V.opaque}"`)!;
    const a1 = digestAuthorization({ challenge: ch, nc: 1 }, { username: V.username, password: V.password, method: 'GET', uri: V.uri, cnonce: V.cnonce });
    const p = parseAuthHeader(a1.header)[0]!;
    assert.equal(p.scheme, 'Digest');
    assert.equal(p.params.get('response'), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(p.params.get('nc'), '00000001');
    assert.equal(p.params.get('opaque'), V.opaque);
    const a2 = digestAuthorization(a1.state, { username: 'we"ird', password: 'x', method: 'POST', uri: '/dm', cnonce: 'c' });
    const p2 = parseAuthHeader(a2.header)[0]!;
    assert.equal(p2.params.get('nc'), '00000002');
    assert.equal(p2.params.get('username'), 'we"ird');
    assert.equal(a2.state.nc, 3);
  });

  test('Basic', () => {
    assert.equal(basicAuthorization('Aladdin', 'open sesame'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });
});

// ESLint flat config: typescript-eslint recommended (not type-aware, so it stays fast) plus the
// architecture's import rules (ARCHITECTURE.md "Layout"): arrows only point down, no cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = {
  process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
  clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly',
};

/** One no-restricted-imports rule for the files matching `files`; `group` lists forbidden import patterns. */
function layer(files, rules) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: rules.map(([group, message]) => ({ group, message })) }],
    },
  };
}

const BRIDGE_DIRS = ['core', 'store', 'tree', 'dm', 'authority', 'discovery', 'inventory', 'adapter-host', 'fanout', 'api'];
const dirs = (names) => names.flatMap((d) => [`**/bridge/${d}`, `**/bridge/${d}/**`, `../${d}/**`, `../../${d}/**`, `../../../${d}/**`]);
const topFiles = ['**/app.js', '**/main.js', '**/cli.js', '**/config.js', '**/app', '**/main', '**/cli', '**/config'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // tests probe control characters on purpose.
  { files: ['test/**'], rules: { 'no-control-regex': 'off' } },
  // bridge/core: imports nothing from other bridge folders.
  layer(['bridge/core/**'], [
    [dirs(BRIDGE_DIRS.filter((d) => d !== 'core')), 'bridge/core imports nothing from other bridge folders'],
    [topFiles, 'bridge/core imports nothing from other bridge folders'],
  ]),
  // bridge/store: only core.
  layer(['bridge/store/**'], [
    [dirs(BRIDGE_DIRS.filter((d) => d !== 'core' && d !== 'store')), 'bridge/store imports only bridge/core'],
    [topFiles, 'bridge/store imports only bridge/core'],
  ]),
  // bridge/tree: never dm, authority, api, discovery, inventory, adapter-host.
  layer(['bridge/tree/**'], [
    [dirs(['dm', 'authority', 'api', 'discovery', 'inventory', 'adapter-host']), 'bridge/tree never knows wire formats, authorities, the API or devices'],
    [topFiles, 'only bridge/app.ts wires modules together'],
  ]),
  // codecs: pure, never tree/store/authority/api.
  layer(['bridge/dm/syncml/**', 'bridge/dm/dm2/**'], [
    [dirs(['tree', 'store', 'authority', 'api', 'discovery', 'inventory', 'adapter-host']), 'codecs are pure: no tree, store, authority or API'],
    [topFiles, 'only bridge/app.ts wires modules together'],
  ]),
  // sessions: never import a codec (the pure digest helpers in syncml/auth are not a codec).
  layer(['bridge/dm/session/**'], [
    [['**/syncml/*', '!**/syncml/auth.js', '**/dm2/**', '**/dm2'], 'sessions never import a codec (bridge/dm/syncml, bridge/dm/dm2)'],
    [topFiles, 'only bridge/app.ts wires modules together'],
  ]),
  // fan-out works on the tree only (as the caller's ServerID): never a protocol, an authority or the API.
  layer(['bridge/fanout/**'], [
    [dirs(BRIDGE_DIRS.filter((d) => !['core', 'store', 'tree', 'fanout'].includes(d))), 'bridge/fanout imports only core, store and tree'],
    [topFiles, 'only bridge/app.ts wires modules together'],
  ]),
  // every other bridge module: nothing may import the composition root or the entry points.
  layer(['bridge/authority/**', 'bridge/discovery/**', 'bridge/inventory/**', 'bridge/adapter-host/**', 'bridge/api/**', 'bridge/dm/*.ts'], [
    [['**/app.js', '**/app', '**/main.js', '**/main', '**/cli.js', '**/cli'], 'only bridge/app.ts wires modules together'],
  ]),
  // adapters: only adapters/sdk, never bridge/ nor another adapter; the sdk imports nothing of ours.
  layer(['adapters/**'], [
    [['**/bridge/**', '**/bridge', '../*/**', '!../sdk/**', '../../**'], 'adapters import only adapters/sdk, never bridge/ or another adapter'],
  ]),
  layer(['adapters/sdk/**'], [
    [['../**', '**/bridge/**', '**/bridge'], 'adapters/sdk is the contract: it imports nothing of ours'],
  ]),
);

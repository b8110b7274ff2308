#!/usr/bin/env -S node --max-semi-space-size=1
// The `dm-bridge` command: runs the TypeScript sources in this same process (no build step, no shell).
// --max-semi-space-size=1 (MB): a small young generation keeps the resident set of a gateway process
// low after bursts (2,000 devices: ~118 MB instead of ~148 MB, test/bench/discovery.bench.ts).
import { register } from 'tsx/esm/api';

register();
await import('../bridge/main.ts');

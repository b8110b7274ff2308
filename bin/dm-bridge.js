#!/usr/bin/env node
// The `dm-bridge` command: runs the TypeScript sources in this same process (no build step, no shell).
import { register } from 'tsx/esm/api';

register();
await import('../bridge/main.ts');

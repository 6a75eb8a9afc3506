#!/usr/bin/env node
// The `dutybot` command (`npx dutybot routes test payload.json`): runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');

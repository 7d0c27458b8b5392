#!/usr/bin/env node
import { exitOnBrokenPipe } from './adapters/streams';
import { run } from './program';

// The composition root: real streams in, the exit code out once the command has finished.
exitOnBrokenPipe(process.stdout, (code) => process.exit(code));
void run(process.argv, { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});

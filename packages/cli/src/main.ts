#!/usr/bin/env node
import { run } from './program';

// The composition root: real streams in, the exit code out once the command has finished.
void run(process.argv, { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});

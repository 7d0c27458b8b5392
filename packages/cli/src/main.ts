#!/usr/bin/env node
// herald: the operator's command-line tool. Commands are added in src/commands/.
process.stdout.write('herald: no commands yet\n');

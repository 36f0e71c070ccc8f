// mailrec schema: the JSON Schema of the policy file, for editors.

import type { Command } from 'commander';
import { POLICY_SCHEMA } from '../../policy/schema.js';
import type { CliIO } from '../io.js';

export function registerSchema(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('print the JSON Schema of the policy file')
    .action(() => {
      io.stdout(`${JSON.stringify(POLICY_SCHEMA, null, 2)}\n`);
      setExit(0);
    });
}

/** A Dockerfile read as Docker reads it: continuation lines joined, comment lines dropped, stages. */
export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Comment lines are dropped, also inside a continued instruction.
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      // Docker removes the backslash and the line break: one logical line.
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    if (full === '') continue;
    const space = full.search(/\s/);
    instructions.push({
      keyword: (space < 0 ? full : full.slice(0, space)).toUpperCase(),
      args: space < 0 ? '' : full.slice(space + 1).trim(),
    });
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [from, as, name] = ins.args.split(/\s+/);
      stages.push({
        from: from ?? '',
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [],
      });
    } else {
      stages[stages.length - 1]?.instructions.push(ins);
    }
  }
  return stages;
}

/** An exec-form (JSON array) argument, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The deploy step of the build stage (the RUN after `ARG SERVICE`) and the services its `case`
 * accepts, with each one's package directory and port.
 */
export function deployStep(stage: Stage): {
  script: string;
  services: Map<string, { dir: string; port: number }>;
} {
  const argAt = stage.instructions.findIndex((i) => i.keyword === 'ARG' && i.args.trim() === 'SERVICE');
  const step = stage.instructions.slice(argAt + 1).find((i) => i.keyword === 'RUN');
  if (argAt < 0 || !step) throw new Error('the build stage has no RUN after ARG SERVICE');
  const services = new Map<string, { dir: string; port: number }>();
  for (const m of step.args.matchAll(/([a-z-]+)\)\s*dir=([^;\s]+);\s*port=(\d+)\s*;;/g)) {
    services.set(m[1] as string, { dir: m[2] as string, port: Number(m[3]) });
  }
  return { script: step.args, services };
}

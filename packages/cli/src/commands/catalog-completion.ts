import { Argument, type Command } from 'commander';
import type { SetExit } from './catalog-common.js';

interface Node {
  path: string;
  subcommands: string[];
  flags: string[];
  /** Options that need a value, with their choices when they have some. */
  valueFlags: Array<{ flags: string[]; choices: readonly string[] | undefined }>;
  /** Choices of the first positional argument, e.g. bash|zsh. */
  argChoices: readonly string[] | undefined;
}

/** Every command of the program tree with its subcommands and flags. */
export function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (cmd: Command, path: string) => {
    const flags = new Set<string>(['--help']);
    const valueFlags: Node['valueFlags'] = [];
    for (const o of cmd.options) {
      const names = [o.long, o.short].filter((n): n is string => !!n);
      names.forEach((n) => flags.add(n));
      if (o.required) valueFlags.push({ flags: names, choices: o.argChoices });
    }
    if (!path) flags.add('--version');
    const subs = cmd.commands.map((c) => c.name());
    nodes.push({
      path,
      subcommands: subs,
      flags: [...flags],
      valueFlags,
      argChoices: cmd.registeredArguments[0]?.argChoices,
    });
    for (const c of cmd.commands) visit(c, path ? `${path} ${c.name()}` : c.name());
  };
  visit(program, '');
  return nodes;
}

/** One case per option with choices, and one per command for its other value-taking options. */
function valueCases(
  nodes: Node[],
  choices: (values: readonly string[]) => string,
  free: string,
): Array<{ patterns: string[]; body: string }> {
  const cases: Array<{ patterns: string[]; body: string }> = [];
  for (const n of nodes) {
    const pattern = (f: string) => q(`${n.path}|${f}`);
    for (const v of n.valueFlags)
      if (v.choices) cases.push({ patterns: v.flags.map(pattern), body: choices(v.choices) });
    const rest = n.valueFlags.filter((v) => !v.choices).flatMap((v) => v.flags.map(pattern));
    if (rest.length) cases.push({ patterns: rest, body: free });
  }
  return cases;
}

const q = (s: string) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;

/** A bash completion script for the program; where it has no words to offer, bash completes file names. */
export function bashScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  const paths = nodes.filter((n) => n.path).map((n) => q(n.path));
  const choiceCases = valueCases(
    nodes,
    (v) => `COMPREPLY=($(compgen -W ${q(v.join(' '))} -- "$cur"))`,
    'COMPREPLY=()',
  ).map((c) => `    ${c.patterns.join('|')}) ${c.body}; return ;;`);
  const wordCases = nodes.map((n) => {
    const words = n.subcommands.length ? n.subcommands : (n.argChoices ?? []);
    return `    ${q(n.path)}) subs=${q(words.join(' '))}; flags=${q(n.flags.join(' '))} ;;`;
  });
  return `# ${name} completion for bash. Load it with:  source <(${name} completion bash)
${fn}() {
  local cur prev cmdpath w i subs flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmdpath=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "\${cmdpath:+$cmdpath }$w" in
${paths.length ? `      ${paths.join('|')}) cmdpath="\${cmdpath:+$cmdpath }$w" ;;\n` : ''}    esac
  done
  case "$cmdpath|$prev" in
${choiceCases.join('\n')}
  esac
  subs=""; flags=""
  case "$cmdpath" in
${wordCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=()
  fi
}
complete -o default -F ${fn} ${name}
`;
}

/** A zsh completion script: source it after compinit, or save it as _<name> on $fpath. */
export function zshScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const paths = nodes.filter((n) => n.path).map((n) => q(n.path));
  const choiceCases = valueCases(nodes, (v) => `compadd -- ${v.join(' ')}`, '_files').map(
    (c) => `    (${c.patterns.join('|')}) ${c.body}; return ;;`,
  );
  const wordCases = nodes.map((n) => {
    const words = n.subcommands.length ? n.subcommands : (n.argChoices ?? []);
    return `    (${q(n.path)}) subs=(${words.join(' ')}); flags=(${n.flags.join(' ')}) ;;`;
  });
  return `#compdef ${name}
# ${name} completion for zsh. Load it with:  source <(${name} completion zsh)   (after compinit)
${fn}() {
  local cur prev cmdpath w i
  local -a subs flags
  cur="\${words[CURRENT]}"
  prev="\${words[CURRENT-1]}"
  cmdpath=""
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    case "\${cmdpath:+$cmdpath }$w" in
${paths.length ? `      (${paths.join('|')}) cmdpath="\${cmdpath:+$cmdpath }$w" ;;\n` : ''}    esac
  done
  case "$cmdpath|$prev" in
${choiceCases.join('\n')}
  esac
  case "$cmdpath" in
${wordCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    compadd -- $flags
  elif (( \${#subs} )); then
    compadd -- $subs
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

export function registerCompletionCommands(program: Command, setExit: SetExit): void {
  program
    .command('completion')
    .description('print a shell completion script for nucleon (bash or zsh)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      `
Install:
  bash  add to ~/.bashrc:   source <(nucleon completion bash)
        or once, system-wide: nucleon completion bash > /etc/bash_completion.d/nucleon
  zsh   add to ~/.zshrc, after \`autoload -Uz compinit && compinit\`:
                            source <(nucleon completion zsh)
        or save it on your $fpath: nucleon completion zsh > "\${fpath[1]}/_nucleon"
Then open a new shell.`,
    )
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashScript(program) : zshScript(program));
      setExit(0);
    });
}

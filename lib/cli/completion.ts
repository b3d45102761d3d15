/**
 * Shell completion scripts (bash, zsh, fish) generated from the command tree, so that a flag
 * added to a command completes with nothing else to do.
 *
 * @module
 */
import { allCommands, argsOf } from "./_command_tree.ts";
import type { AnyCommand } from "./_command_tree.ts";
import { UsageError } from "./_args.ts";

/** The shells {@linkcode completionScript} writes for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

interface Entry {
  path: string[];
  words: string[];
  flags: Array<{ name: string; short?: string; description: string }>;
  description: string;
}

async function entries(root: AnyCommand): Promise<Entry[]> {
  const all = await allCommands(root);
  const out: Entry[] = [];
  for (const { path, cmd } of all) {
    const words = all.filter((c) =>
      c.path.length === path.length + 1 &&
      c.path.slice(0, -1).join(" ") === path.join(" ")
    ).map((c) => c.path.at(-1)!);
    const flags = Object.entries(argsOf(cmd)).flatMap(([name, d]) =>
      d.type === "positional" ? [] : [{
        name,
        ...(d.alias?.length === 1 ? { short: d.alias } : {}),
        description: d.description ?? "",
      }]
    );
    out.push({ path, words, flags, description: cmd.meta.description ?? "" });
  }
  return out;
}

function bash(list: Entry[]): string {
  const paths = list.filter((e) => e.path.length > 1).map((e) => `"${e.path.slice(1).join(" ")}"`);
  const cases = list.map((e) => {
    const words = [...e.words, ...e.flags.map((f) => `--${f.name}`), "--help"].join(" ");
    return `    "${e.path.slice(1).join(" ")}") words="${words}" ;;`;
  }).join("\n");
  return `# bash completion for ocisign: source <(ocisign completion bash)
_ocisign() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "\${path:+$path }$w" in
      ${paths.join("|")}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ocisign ocisign
`;
}

function fish(list: Entry[]): string {
  const quote = (t: string) => `'${t.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  const lines = ["# fish completion for ocisign: ocisign completion fish | source"];
  for (const e of list) {
    const seen = e.path.slice(1);
    const cond = seen.length === 0
      ? "__fish_use_subcommand"
      : `__fish_seen_subcommand_from ${seen.at(-1)}`;
    for (const w of e.words) {
      const child = list.find((c) => c.path.join(" ") === [...e.path, w].join(" "));
      lines.push(
        `complete -c ocisign -f -n ${quote(cond)} -a ${w} -d ${quote(child?.description ?? "")}`,
      );
    }
    for (const f of e.flags) {
      lines.push(
        `complete -c ocisign -n ${quote(cond)} -l ${f.name}${f.short ? ` -s ${f.short}` : ""} -d ${
          quote(f.description)
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The completion script for a shell.
 *
 * @example
 * ```ts ignore
 * io.stdout(await completionScript(root, "bash"));
 * ```
 * @param root The root command.
 * @param shell bash, zsh or fish.
 * @returns The script.
 * @throws {UsageError} ERR_USAGE for another shell.
 */
export async function completionScript(root: AnyCommand, shell: string): Promise<string> {
  const list = await entries(root);
  if (shell === "bash") return bash(list);
  if (shell === "zsh") {
    return `#compdef ocisign\n# zsh completion for ocisign: source <(ocisign completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${
      bash(list)
    }`;
  }
  if (shell === "fish") return fish(list);
  throw new UsageError(`unsupported shell ${JSON.stringify(shell)}: use ${SHELLS.join(", ")}`);
}

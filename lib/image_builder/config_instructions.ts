/**
 * The instructions that only change the image config: ENV, LABEL, CMD, ENTRYPOINT, USER,
 * EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER, and the config half of
 * WORKDIR.
 *
 * @module
 */
import type { Instruction } from "../dockerfile/dockerfile_parser.ts";
import { atLine, DockerfileLineError } from "../dockerfile/line_error.ts";
import { parseInstruction } from "../dockerfile/dockerfile_parser.ts";
import type { HealthConfig } from "./image_config.ts";
import { expandWord, expandWords, parseKeyValues } from "../dockerfile/shell_lexer.ts";
import type { Stage } from "./stage.ts";

/** Instructions {@linkcode applyConfigInstruction} handles. */
export const CONFIG_INSTRUCTIONS: ReadonlySet<string> = new Set([
  "ENV",
  "LABEL",
  "CMD",
  "ENTRYPOINT",
  "USER",
  "EXPOSE",
  "VOLUME",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "SHELL",
  "ONBUILD",
  "MAINTAINER",
]);

function fail(instr: Instruction, message: string): never {
  throw new DockerfileLineError(instr.line, `${instr.keyword} ${message}`);
}

function commandList(instr: Instruction, stage: Stage): string[] {
  if (instr.json !== undefined) return instr.json;
  if (instr.args === "") return [];
  return [...stage.shell, instr.args];
}

function parseDuration(instr: Instruction, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(text);
  if (match === null) fail(instr, `has an invalid duration ${JSON.stringify(text)}; use e.g. 30s`);
  const scale: Record<string, number> = {
    ns: 1,
    us: 1e3,
    "µs": 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  return Math.round(parseFloat(match[1]!) * scale[match[2]!]!);
}

function healthcheck(instr: Instruction): HealthConfig {
  const flags = new Map<string, string>();
  for (const f of instr.flags) flags.set(f.name, f.value ?? "");
  const m = /^(\S+)\s*([\s\S]*)$/.exec(instr.args.trim());
  const kind = m?.[1]?.toUpperCase();
  if (kind === "NONE") {
    if (flags.size > 0 || m![2] !== "") fail(instr, "NONE takes no options or arguments");
    return { Test: ["NONE"] };
  }
  if (kind !== "CMD") fail(instr, "must be NONE or [OPTIONS] CMD command");
  const sub = parseInstruction(`CMD ${m![2]}`, instr.line);
  if (sub.args === "") fail(instr, "CMD needs a command");
  const test = sub.json !== undefined ? ["CMD", ...sub.json] : ["CMD-SHELL", sub.args];
  const out: HealthConfig = { Test: test };
  for (const [name, value] of flags) {
    if (name === "interval") out.Interval = parseDuration(instr, value);
    else if (name === "timeout") out.Timeout = parseDuration(instr, value);
    else if (name === "start-period") out.StartPeriod = parseDuration(instr, value);
    else if (name === "start-interval") out.StartInterval = parseDuration(instr, value);
    else if (name === "retries") {
      if (!/^\d+$/.test(value)) fail(instr, `--retries must be a whole number`);
      out.Retries = parseInt(value, 10);
    } else fail(instr, `has an unknown option --${name}`);
  }
  return out;
}

function exposedPorts(words: string[], instr: Instruction): string[] {
  const out: string[] = [];
  for (const word of words) {
    const m = /^(?:[^:]*:)?(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
    if (m === null) {
      fail(instr, `has an invalid port ${JSON.stringify(word)}; use PORT[/tcp|udp|sctp]`);
    }
    const from = parseInt(m[1]!, 10);
    const to = m[2] === undefined ? from : parseInt(m[2], 10);
    if (from < 1 || to > 65535 || to < from) fail(instr, `has an invalid port range ${word}`);
    const proto = (m[3] ?? "tcp").toLowerCase();
    for (let p = from; p <= to; p++) out.push(`${p}/${proto}`);
  }
  return out;
}

/**
 * Applies a config-only instruction to a stage.
 *
 * @example
 * ```ts ignore
 * const createdBy = applyConfigInstruction(stage, instr, "\\");
 * ```
 * @param stage The stage.
 * @param instr The instruction.
 * @param escape The Dockerfile's escape character.
 * @returns The `created_by` text for the history entry.
 * @throws {BuildError} ERR_BUILD with the line number when the arguments are invalid.
 */
export function applyConfigInstruction(stage: Stage, instr: Instruction, escape: string): string {
  return atLine(instr, () => applyInstruction(stage, instr, escape));
}

function applyInstruction(stage: Stage, instr: Instruction, escape: string): string {
  const lookup = (name: string): string | undefined => stage.lookup(name);
  const c = stage.container;
  switch (instr.keyword) {
    case "ENV": {
      const pairs = parseKeyValues(instr.args, lookup, { escape, allowLegacy: true });
      for (const [k, v] of pairs) stage.setEnv(k, v ?? "");
      return `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`;
    }
    case "LABEL": {
      const pairs = parseKeyValues(instr.args, lookup, { escape, allowLegacy: true });
      c.Labels = { ...c.Labels };
      for (const [k, v] of pairs) c.Labels[k] = v ?? "";
      return `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`;
    }
    case "MAINTAINER":
      stage.config.author = expandWord(instr.args, lookup, escape);
      return `MAINTAINER ${stage.config.author}`;
    case "CMD":
      c.Cmd = commandList(instr, stage);
      stage.cmdSet = true;
      return `CMD ${JSON.stringify(c.Cmd)}`;
    case "ENTRYPOINT":
      c.Entrypoint = commandList(instr, stage);
      if (!stage.cmdSet) delete c.Cmd;
      return `ENTRYPOINT ${JSON.stringify(c.Entrypoint)}`;
    case "USER": {
      const user = expandWord(instr.args.trim(), lookup, escape);
      if (user === "") fail(instr, "needs a user");
      c.User = user;
      return `USER ${user}`;
    }
    case "EXPOSE": {
      const ports = exposedPorts(expandWords(instr.args, lookup, escape), instr);
      if (ports.length === 0) fail(instr, "needs at least one port");
      c.ExposedPorts = { ...c.ExposedPorts };
      for (const p of ports) c.ExposedPorts[p] = {};
      return `EXPOSE ${ports.join(" ")}`;
    }
    case "VOLUME": {
      const paths = instr.json?.map((p) => expandWord(p, lookup, escape)) ??
        expandWords(instr.args, lookup, escape);
      if (paths.length === 0 || paths.some((p) => p.trim() === "")) fail(instr, "needs a path");
      c.Volumes = { ...c.Volumes };
      for (const p of paths) c.Volumes[p] = {};
      return `VOLUME ${JSON.stringify(paths)}`;
    }
    case "STOPSIGNAL": {
      const signal = expandWord(instr.args.trim(), lookup, escape);
      if (!/^(?:SIG[A-Z0-9+-]+|[A-Z0-9+-]+|\d+)$/.test(signal)) {
        fail(instr, `has an invalid signal ${JSON.stringify(signal)}`);
      }
      c.StopSignal = signal;
      return `STOPSIGNAL ${signal}`;
    }
    case "HEALTHCHECK":
      c.Healthcheck = healthcheck(instr);
      return `HEALTHCHECK ${JSON.stringify(c.Healthcheck.Test)}`;
    case "SHELL":
      if (instr.json === undefined || instr.json.length === 0) {
        fail(instr, 'must be written in JSON form, e.g. SHELL ["/bin/bash", "-c"]');
      }
      stage.shell = instr.json;
      c.Shell = instr.json;
      return `SHELL ${JSON.stringify(instr.json)}`;
    case "ONBUILD": {
      const inner = parseInstruction(instr.args, instr.line);
      if (
        inner.keyword === "ONBUILD" || inner.keyword === "FROM" || inner.keyword === "MAINTAINER"
      ) {
        fail(instr, `cannot trigger ${inner.keyword}`);
      }
      c.OnBuild = [...(c.OnBuild ?? []), instr.args.trim()];
      return `ONBUILD ${instr.args.trim()}`;
    }
    default:
      fail(instr, "is not a config instruction");
  }
}

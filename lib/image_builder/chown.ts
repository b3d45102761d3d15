/**
 * `--chown=user[:group]`: numeric ids as given, names looked up in the stage's `/etc/passwd` and
 * `/etc/group` (as Docker does; the build fails when the files or names are missing).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { fromUtf8 } from "../_internal/bytes.ts";
import { DockerfileLineError } from "../dockerfile/line_error.ts";

/** Reads a file of the stage's file system; `undefined` when it does not exist. */
export type StageFileReader = (path: string) => Promise<Bytes | undefined>;

function lookupName(
  text: string | undefined,
  name: string,
  idField: number,
): { id: number; gid?: number } | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] !== name || fields.length <= idField) continue;
    const id = Number(fields[idField]);
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_CHOWN_ID) continue;
    const gid = Number(fields[3]);
    const gidOk = Number.isSafeInteger(gid) && gid >= 0 && gid <= MAX_CHOWN_ID;
    return gidOk && idField === 2 && fields.length > 3 ? { id, gid } : { id };
  }
  return undefined;
}

const NUMERIC = /^-?\d+$/;
/** The largest id chown(2) takes: 4294967295 is `(uid_t)-1`, "leave unchanged". */
export const MAX_CHOWN_ID = 4294967294;

function numericId(text: string, kind: "user" | "group", line: number): number {
  const id = Number(text);
  if (text.startsWith("-") || id > MAX_CHOWN_ID) {
    const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
    throw new DockerfileLineError(
      line,
      `--chown ${kind} id ${shown} is out of range; use an id from 0 to ${MAX_CHOWN_ID}`,
    );
  }
  return id;
}

/**
 * Resolves a `--chown` value to numeric ids.
 *
 * @example
 * ```ts
 * import { resolveChown } from "./chown.ts";
 * const ids = await resolveChown("1000:50", () => Promise.resolve(undefined), 3);
 * console.log(ids); // { uid: 1000, gid: 50 }
 * ```
 * @param spec `user`, `user:group`, numeric or names.
 * @param readFile Reads `/etc/passwd` and `/etc/group` from the stage.
 * @param line Line for errors.
 * @returns The ids (the group defaults to the user's primary group, or the uid when numeric).
 * @throws {BuildError} ERR_BUILD when a name cannot be resolved, or an id is negative or above
 * 4294967294 (chown(2) would truncate 4294967296 to 0, root).
 */
export async function resolveChown(
  spec: string,
  readFile: StageFileReader,
  line: number,
): Promise<{ uid: number; gid: number }> {
  const [user = "", group] = spec.split(":", 2);
  if (user === "") throw new DockerfileLineError(line, `--chown needs a user`);
  let passwd: string | undefined;
  let groups: string | undefined;
  const readText = async (path: string): Promise<string | undefined> => {
    const bytes = await readFile(path);
    return bytes === undefined ? undefined : fromUtf8(bytes);
  };
  let uid: number;
  let primary: number | undefined;
  if (NUMERIC.test(user)) uid = numericId(user, "user", line);
  else {
    passwd = await readText("etc/passwd");
    const found = lookupName(passwd, user, 2);
    if (found === undefined) {
      throw new DockerfileLineError(
        line,
        `cannot find user ${user} in the stage's /etc/passwd${
          passwd === undefined ? " (the file does not exist)" : ""
        }; use a numeric id`,
      );
    }
    uid = found.id;
    primary = found.gid;
  }
  let gid: number;
  if (group === undefined || group === "") gid = primary ?? uid;
  else if (NUMERIC.test(group)) gid = numericId(group, "group", line);
  else {
    groups = await readText("etc/group");
    const found = lookupName(groups, group, 2);
    if (found === undefined) {
      throw new DockerfileLineError(
        line,
        `cannot find group ${group} in the stage's /etc/group${
          groups === undefined ? " (the file does not exist)" : ""
        }; use a numeric id`,
      );
    }
    gid = found.id;
  }
  return { uid, gid };
}

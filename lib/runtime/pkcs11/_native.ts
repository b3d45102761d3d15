/**
 * The native side of PKCS#11: a library loaded with `Deno.dlopen` under Deno and `bun:ffi` under
 * Bun (the compiled binary), reached through `C_GetFunctionList` so that every module is called
 * the same way. Pointer arguments are passed as byte buffers; pointers inside structures are
 * written as the buffers' addresses ({@linkcode NativeLibrary.addressOf}).
 *
 * Layouts are those of 64-bit Linux and macOS (`CK_ULONG` is 8 bytes, natural alignment).
 *
 * @module
 */

import process from "node:process";

/** An argument: a `CK_ULONG` (or handle) as a bigint, a `CK_BBOOL` as a number, a buffer, or NULL. */
export type NativeArg = bigint | number | Uint8Array | null;

/** The kinds of parameters the used functions take. */
type ParamKind = "ulong" | "ptr" | "bool";

/** Offsets in `CK_FUNCTION_LIST` (after the 2-byte version, padded to 8) and parameter kinds. */
const FUNCTIONS = {
  C_Initialize: { offset: 8, params: ["ptr"] },
  C_Finalize: { offset: 16, params: ["ptr"] },
  C_GetSlotList: { offset: 40, params: ["bool", "ptr", "ptr"] },
  C_GetTokenInfo: { offset: 56, params: ["ulong", "ptr"] },
  C_GetMechanismInfo: { offset: 72, params: ["ulong", "ulong", "ptr"] },
  C_OpenSession: { offset: 104, params: ["ulong", "ulong", "ptr", "ptr", "ptr"] },
  C_CloseSession: { offset: 112, params: ["ulong"] },
  C_Login: { offset: 152, params: ["ulong", "ulong", "ptr", "ulong"] },
  C_Logout: { offset: 160, params: ["ulong"] },
  C_GetAttributeValue: { offset: 200, params: ["ulong", "ulong", "ptr", "ulong"] },
  C_FindObjectsInit: { offset: 216, params: ["ulong", "ptr", "ulong"] },
  C_FindObjects: { offset: 224, params: ["ulong", "ptr", "ulong", "ptr"] },
  C_FindObjectsFinal: { offset: 232, params: ["ulong"] },
  C_SignInit: { offset: 344, params: ["ulong", "ptr", "ulong"] },
  C_Sign: { offset: 352, params: ["ulong", "ptr", "ulong", "ptr", "ptr"] },
} as const satisfies Record<string, { offset: number; params: readonly ParamKind[] }>;

/** The PKCS#11 functions ocisign calls. */
export type NativeFunction = keyof typeof FUNCTIONS;

/** A loaded PKCS#11 library. */
export interface NativeLibrary {
  /** Calls a function of the module's function list; returns its `CK_RV`. */
  call(name: NativeFunction, ...args: NativeArg[]): bigint;
  /** The address of a buffer, to store in a structure (the buffer must stay referenced). */
  addressOf(buffer: Uint8Array): bigint;
  /** Unloads the library. */
  close(): void;
}

/** The bit of `bun:ffi` used here. */
interface BunFfi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown>; close(): void };
  CFunction(
    def: { ptr: number; args: string[]; returns: string },
  ): ((...args: unknown[]) => unknown) & { close?(): void };
  ptr(buffer: Uint8Array): number;
  read: { ptr(address: number, offset: number): number };
}

interface Runtime {
  Deno?: typeof Deno;
  Bun?: unknown;
}

/**
 * Loads a PKCS#11 module (a shared library) and resolves its function list.
 *
 * @example
 * ```ts ignore
 * import { loadNativeLibrary } from "./_native.ts";
 * const lib = loadNativeLibrary("/usr/lib/softhsm/libsofthsm2.so");
 * console.log(lib.call("C_Initialize", null)); // 0n
 * ```
 * @param path The module's file path.
 * @returns The library.
 * @throws {Error} When the file cannot be loaded or has no `C_GetFunctionList`.
 */
export function loadNativeLibrary(path: string): NativeLibrary {
  if (process.platform === "win32" || (process.arch !== "x64" && process.arch !== "arm64")) {
    // Windows packs PKCS#11 structures with 4-byte CK_ULONG and 1-byte alignment.
    throw new Error(
      `PKCS#11 signing is available on 64-bit Linux and macOS, not on ${process.platform}/${process.arch}`,
    );
  }
  const rt = globalThis as Runtime;
  if (rt.Bun !== undefined) return loadWithBun(path);
  if (rt.Deno !== undefined) return loadWithDeno(rt.Deno, path);
  throw new Error("PKCS#11 needs Deno or Bun (FFI)");
}

function loadWithDeno(deno: typeof Deno, path: string): NativeLibrary {
  const kind = { ulong: "u64", ptr: "buffer", bool: "u8" } as const;
  const lib = deno.dlopen(path, {
    C_GetFunctionList: { parameters: ["buffer"], result: "u64" },
  });
  try {
    const slot = new BigUint64Array(1);
    const rv = BigInt(lib.symbols.C_GetFunctionList(new Uint8Array(slot.buffer)));
    if (rv !== 0n || slot[0] === 0n) throw new Error(`C_GetFunctionList returned ${rv}`);
    const list = new deno.UnsafePointerView(deno.UnsafePointer.create(slot[0]!)!);
    const fns = new Map<NativeFunction, (...args: NativeArg[]) => unknown>();
    for (
      const [name, def] of Object.entries(FUNCTIONS) as [
        NativeFunction,
        typeof FUNCTIONS[NativeFunction],
      ][]
    ) {
      const pointer = deno.UnsafePointer.create(list.getBigUint64(def.offset));
      if (pointer === null) continue;
      const signature: Deno.ForeignFunction = {
        parameters: def.params.map((p) => kind[p]),
        result: "u64",
      };
      const fn = new deno.UnsafeFnPointer(
        pointer as Deno.PointerObject<typeof signature>,
        signature,
      );
      fns.set(name, fn.call.bind(fn) as (...args: NativeArg[]) => unknown);
    }
    return {
      call: (name, ...args) => BigInt(requireFn(fns, name)(...args) as bigint),
      addressOf: (buffer) => BigInt(deno.UnsafePointer.value(deno.UnsafePointer.of(buffer))),
      close: () => lib.close(),
    };
  } catch (err) {
    lib.close();
    throw err;
  }
}

function loadWithBun(path: string): NativeLibrary {
  // Bun's own require: Deno (its type checker and `deno publish`) never sees a `bun:` import.
  const ffi = (import.meta as ImportMeta & { require(id: string): unknown }).require(
    "bun:ffi",
  ) as BunFfi;
  const kind = { ulong: "u64", ptr: "ptr", bool: "u8" } as const;
  const lib = ffi.dlopen(path, { C_GetFunctionList: { args: ["ptr"], returns: "u64" } });
  try {
    const slot = new BigUint64Array(1);
    const rv = BigInt(lib.symbols.C_GetFunctionList!(new Uint8Array(slot.buffer)) as bigint);
    if (rv !== 0n || slot[0] === 0n) throw new Error(`C_GetFunctionList returned ${rv}`);
    const list = Number(slot[0]);
    const fns = new Map<NativeFunction, (...args: NativeArg[]) => unknown>();
    for (
      const [name, def] of Object.entries(FUNCTIONS) as [
        NativeFunction,
        typeof FUNCTIONS[NativeFunction],
      ][]
    ) {
      const pointer = ffi.read.ptr(list, def.offset);
      if (pointer === 0) continue;
      fns.set(
        name,
        ffi.CFunction({ ptr: pointer, args: def.params.map((p) => kind[p]), returns: "u64" }),
      );
    }
    return {
      call: (name, ...args) => BigInt(requireFn(fns, name)(...args) as bigint),
      addressOf: (buffer) => BigInt(ffi.ptr(buffer)),
      close: () => lib.close(),
    };
  } catch (err) {
    lib.close();
    throw err;
  }
}

function requireFn(
  fns: Map<NativeFunction, (...args: NativeArg[]) => unknown>,
  name: NativeFunction,
): (...args: NativeArg[]) => unknown {
  const fn = fns.get(name);
  if (fn === undefined) throw new Error(`the PKCS#11 module has no ${name}`);
  return fn;
}

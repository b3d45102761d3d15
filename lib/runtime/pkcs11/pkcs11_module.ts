/**
 * A PKCS#11 module and its sessions, over the native calls: slots and token labels, login,
 * object search, attribute reads and single-part signing. Every call's return value is checked;
 * a failure is a {@linkcode Pkcs11Error}.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import { CKF_TOKEN, CKR, CKU, SESSION_FLAGS } from "./_ck.ts";
import { loadNativeLibrary } from "./_native.ts";
import type { NativeArg, NativeFunction, NativeLibrary } from "./_native.ts";
import { Pkcs11Error } from "./pkcs11_error.ts";

/** `CK_UNAVAILABLE_INFORMATION`: an attribute's length when it cannot be read. */
const UNAVAILABLE = 0xffff_ffff_ffff_ffffn;

/** Size of one `CK_ATTRIBUTE` (type, pValue, ulValueLen). */
const ATTRIBUTE_SIZE = 24;

/** What a token says about itself (`CK_TOKEN_INFO`). */
export interface TokenInfo {
  /** The slot holding the token. */
  slotId: bigint;
  /** The token label, without the padding. */
  label: string;
  /** Manufacturer. */
  manufacturer: string;
  /** Model. */
  model: string;
  /** Serial number. */
  serialNumber: string;
  /** Whether a login is needed before private objects can be used. */
  loginRequired: boolean;
  /** Whether the user PIN is locked. */
  userPinLocked: boolean;
  /** Whether one wrong user PIN more would lock it (`CKF_USER_PIN_FINAL_TRY`). */
  userPinFinalTry: boolean;
}

/** An attribute of a search template: its type and raw value. */
export interface Attribute {
  /** `CKA_*`. */
  type: bigint;
  /** The value bytes (a `CK_ULONG` is 8 little-endian bytes, a `CK_BBOOL` one byte). */
  value: Uint8Array;
}

/** A signing mechanism: `CKM_*` and its parameter bytes. */
export interface Mechanism {
  /** `CKM_*`. */
  type: bigint;
  /** The parameter structure, when the mechanism takes one. */
  parameter?: Uint8Array;
}

/**
 * Encodes a `CK_ULONG` (8 bytes, little-endian).
 *
 * @example
 * ```ts
 * import { ulong } from "./pkcs11_module.ts";
 * console.log(ulong(3n)); // Uint8Array(8) [3, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export function ulong(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/**
 * Decodes a `CK_ULONG` value read from an attribute.
 *
 * @example
 * ```ts
 * import { readUlong, ulong } from "./pkcs11_module.ts";
 * console.log(readUlong(ulong(7n))); // 7n
 * ```
 */
export function readUlong(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes).replace(/[ \0]+$/, "");
}

/**
 * A loaded and initialised PKCS#11 module. Close it when done ({@linkcode Pkcs11Module.close}).
 *
 * @example
 * ```ts ignore
 * import { Pkcs11Module } from "./pkcs11_module.ts";
 * const module = await Pkcs11Module.open("/usr/lib/softhsm/libsofthsm2.so");
 * try {
 *   for (const token of module.tokens()) console.log(token.label);
 * } finally {
 *   module.close();
 * }
 * ```
 */
export class Pkcs11Module {
  readonly #lib: NativeLibrary;
  readonly #finalize: boolean;

  private constructor(lib: NativeLibrary, finalize: boolean) {
    this.#lib = lib;
    this.#finalize = finalize;
  }

  /**
   * Loads the module at `path` and initialises it (a module already initialised in this process
   * is shared).
   * @param path The shared library's path.
   * @returns The module.
   * @throws {ConfigError} ERR_CONFIG when the file cannot be loaded as a PKCS#11 module.
   * @throws {Pkcs11Error} When `C_Initialize` fails.
   */
  static open(path: string): Promise<Pkcs11Module> {
    try {
      return Promise.resolve(Pkcs11Module.#load(path));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Loads and initialises the module (FFI loading is synchronous in both runtimes). */
  static #load(path: string): Pkcs11Module {
    let lib: NativeLibrary;
    try {
      lib = loadNativeLibrary(path);
    } catch (cause) {
      throw new ConfigError(
        `cannot load the PKCS#11 module ${JSON.stringify(path)}: ${
          (cause as Error).message
        }; give the module's path with --pkcs11-module, module-path in the URI or OCISIGN_PKCS11_MODULE`,
        { cause },
      );
    }
    const rv = lib.call("C_Initialize", null);
    if (rv !== CKR.OK && rv !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
      lib.close();
      throw Pkcs11Error.fromReturnValue("C_Initialize", rv);
    }
    return new Pkcs11Module(lib, rv === CKR.OK);
  }

  /** Calls a function and throws on any return value but `CKR_OK`. */
  check(name: NativeFunction, ...args: NativeArg[]): void {
    const rv = this.#lib.call(name, ...args);
    if (rv !== CKR.OK) throw Pkcs11Error.fromReturnValue(name, rv);
  }

  /** The return value of a call, unchecked. */
  call(name: NativeFunction, ...args: NativeArg[]): bigint {
    return this.#lib.call(name, ...args);
  }

  /** The address of a buffer, for a pointer inside a structure. */
  addressOf(buffer: Uint8Array): bigint {
    return this.#lib.addressOf(buffer);
  }

  /**
   * The tokens present, in slot order.
   * @returns Each token's slot and information.
   */
  tokens(): TokenInfo[] {
    const count = new BigUint64Array(1);
    this.check("C_GetSlotList", 1, null, bytesOf(count));
    const slots = new BigUint64Array(Number(count[0]));
    if (slots.length > 0) this.check("C_GetSlotList", 1, bytesOf(slots), bytesOf(count));
    return [...slots.subarray(0, Number(count[0]))].map((slotId) => this.#tokenInfo(slotId));
  }

  #tokenInfo(slotId: bigint): TokenInfo {
    // CK_TOKEN_INFO: label[32], manufacturerID[32], model[16], serialNumber[16], flags, ...
    const info = new Uint8Array(512);
    this.check("C_GetTokenInfo", slotId, info);
    const flags = readUlong(info.subarray(96, 104));
    return {
      slotId,
      label: text(info.subarray(0, 32)),
      manufacturer: text(info.subarray(32, 64)),
      model: text(info.subarray(64, 80)),
      serialNumber: text(info.subarray(80, 96)),
      loginRequired: (flags & CKF_TOKEN.LOGIN_REQUIRED) !== 0n,
      userPinLocked: (flags & CKF_TOKEN.USER_PIN_LOCKED) !== 0n,
      userPinFinalTry: (flags & CKF_TOKEN.USER_PIN_FINAL_TRY) !== 0n,
    };
  }

  /**
   * Opens a read-write session on a slot's token.
   * @param slotId The slot.
   * @returns The session; close it when done.
   */
  openSession(slotId: bigint): Pkcs11Session {
    const handle = new BigUint64Array(1);
    this.check("C_OpenSession", slotId, SESSION_FLAGS, null, null, bytesOf(handle));
    return new Pkcs11Session(this, handle[0]!);
  }

  /** Finalises the module (when this process initialised it) and unloads it. */
  close(): void {
    if (this.#finalize) this.#lib.call("C_Finalize", null);
    this.#lib.close();
  }
}

function bytesOf(array: BigUint64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A session on one token. */
export class Pkcs11Session {
  readonly #module: Pkcs11Module;
  readonly #handle: bigint;
  #loggedIn = false;

  /**
   * Wraps an open session (see {@linkcode Pkcs11Module.openSession}).
   * @param module The module.
   * @param handle The session handle.
   */
  constructor(module: Pkcs11Module, handle: bigint) {
    this.#module = module;
    this.#handle = handle;
  }

  /**
   * Logs the user in, once: a wrong PIN is reported, never retried.
   * @param pin The user PIN.
   * @throws {Pkcs11Error} ERR_UNAUTHORIZED for a wrong PIN, ERR_DENIED for a locked one.
   */
  login(pin: string): void {
    const bytes = new TextEncoder().encode(pin);
    const rv = this.#module.call("C_Login", this.#handle, CKU.USER, bytes, BigInt(bytes.length));
    bytes.fill(0);
    if (rv !== CKR.OK && rv !== CKR.USER_ALREADY_LOGGED_IN) {
      throw Pkcs11Error.fromReturnValue("C_Login", rv);
    }
    this.#loggedIn = rv === CKR.OK;
  }

  /**
   * Finds the objects matching every attribute of the template.
   * @param template The attributes to match.
   * @param limit The most handles returned.
   * @returns The object handles.
   */
  findObjects(template: readonly Attribute[], limit = 64): bigint[] {
    const encoded = this.#template(template);
    this.#module.check("C_FindObjectsInit", this.#handle, encoded.bytes, BigInt(template.length));
    try {
      const handles = new BigUint64Array(limit);
      const count = new BigUint64Array(1);
      this.#module.check(
        "C_FindObjects",
        this.#handle,
        bytesOf(handles),
        BigInt(limit),
        bytesOf(count),
      );
      return [...handles.subarray(0, Number(count[0]))];
    } finally {
      this.#module.call("C_FindObjectsFinal", this.#handle);
    }
  }

  /**
   * Reads one attribute of an object.
   * @param object The object handle.
   * @param type `CKA_*`.
   * @returns The value, or undefined when the object has no such attribute or hides it.
   */
  attribute(object: bigint, type: bigint): Uint8Array | undefined {
    const template = new Uint8Array(ATTRIBUTE_SIZE);
    const view = new DataView(template.buffer);
    view.setBigUint64(0, type, true);
    const rv = this.#module.call("C_GetAttributeValue", this.#handle, object, template, 1n);
    const length = view.getBigUint64(16, true);
    if (rv !== CKR.OK || length === UNAVAILABLE) return undefined;
    const value = new Uint8Array(Number(length));
    view.setBigUint64(8, this.#module.addressOf(value), true);
    this.#module.check("C_GetAttributeValue", this.#handle, object, template, 1n);
    return value.subarray(0, Number(view.getBigUint64(16, true)));
  }

  /**
   * Signs `data` in one part.
   * @param key The private key handle.
   * @param mechanism The mechanism and its parameters.
   * @param data What the mechanism signs (for `CKM_ECDSA` and `CKM_RSA_PKCS_PSS`, the digest).
   * @param contextPin The PIN again, for keys with `CKA_ALWAYS_AUTHENTICATE`.
   * @returns The signature.
   */
  sign(key: bigint, mechanism: Mechanism, data: Uint8Array, contextPin?: string): Uint8Array {
    const mech = new Uint8Array(24);
    const view = new DataView(mech.buffer);
    view.setBigUint64(0, mechanism.type, true);
    if (mechanism.parameter) {
      view.setBigUint64(8, this.#module.addressOf(mechanism.parameter), true);
      view.setBigUint64(16, BigInt(mechanism.parameter.length), true);
    }
    this.#module.check("C_SignInit", this.#handle, mech, key);
    if (contextPin !== undefined) {
      const pin = new TextEncoder().encode(contextPin);
      const rv = this.#module.call(
        "C_Login",
        this.#handle,
        CKU.CONTEXT_SPECIFIC,
        pin,
        BigInt(pin.length),
      );
      pin.fill(0);
      if (rv !== CKR.OK) throw Pkcs11Error.fromReturnValue("C_Login", rv);
    }
    const length = new BigUint64Array(1);
    this.#module.check("C_Sign", this.#handle, data, BigInt(data.length), null, bytesOf(length));
    const signature = new Uint8Array(Number(length[0]));
    this.#module.check(
      "C_Sign",
      this.#handle,
      data,
      BigInt(data.length),
      signature,
      bytesOf(length),
    );
    return signature.subarray(0, Number(length[0]));
  }

  /** Logs out (when this session logged in) and closes the session. */
  close(): void {
    if (this.#loggedIn) this.#module.call("C_Logout", this.#handle);
    this.#module.call("C_CloseSession", this.#handle);
  }

  #template(template: readonly Attribute[]): { bytes: Uint8Array; keep: Uint8Array[] } {
    const bytes = new Uint8Array(ATTRIBUTE_SIZE * Math.max(template.length, 1));
    const view = new DataView(bytes.buffer);
    const keep: Uint8Array[] = [];
    template.forEach((attr, i) => {
      const value = new Uint8Array(attr.value);
      keep.push(value);
      view.setBigUint64(i * ATTRIBUTE_SIZE, attr.type, true);
      view.setBigUint64(i * ATTRIBUTE_SIZE + 8, this.#module.addressOf(value), true);
      view.setBigUint64(i * ATTRIBUTE_SIZE + 16, BigInt(value.length), true);
    });
    return { bytes, keep };
  }
}

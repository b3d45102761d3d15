/** RFC 7512 PKCS#11 URIs: what cosign's form means, what is refused, and a PIN-free rendering. */
import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import { formatPkcs11Uri, parsePkcs11Uri } from "../../lib/runtime/pkcs11/pkcs11_uri.ts";

Deno.test("parsePkcs11Uri() reads cosign's form: path and query attributes, percent-decoded", () => {
  const uri = parsePkcs11Uri(
    "pkcs11:token=my%20station;slot-id=7;id=%01%a2;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12%3B34",
  );
  assertEquals(uri, {
    token: "my station",
    slotId: 7n,
    id: new Uint8Array([1, 0xa2]),
    object: "release",
    modulePath: "/usr/lib/softhsm/libsofthsm2.so",
    pinValue: "12;34",
  });
  assertEquals(
    parsePkcs11Uri("PKCS11:object=a?pin-source=file:/run/pin").pinSource,
    "file:/run/pin",
  );
  assertEquals(parsePkcs11Uri("pkcs11:object=a;x-vendor=1;type=private").type, "private");
});

Deno.test("parsePkcs11Uri() refuses what it cannot honour", () => {
  const bad: Array<[string, RegExp]> = [
    ["token=a;object=b", /does not start with pkcs11:/],
    ["pkcs11:token=a", /names no key/],
    ["pkcs11:objet=a", /unknown attribute "objet"/],
    ["pkcs11:object=a;object=b", /object appears twice/],
    ["pkcs11:object=a%zz", /bad percent-encoding in object/],
    ["pkcs11:object=a;slot-id=x", /slot-id "x" is not a number/],
    ["pkcs11:object=a;type=cert", /type=cert names no private key/],
    ["pkcs11:object=a?pin-value=1&pin-source=/p", /pin-value or pin-source, not both/],
    ["pkcs11:object=a?module-path", /"module-path" is not NAME=VALUE/],
    ["pkcs11:object=%ff%fe", /object is not UTF-8/],
  ];
  for (const [text, message] of bad) {
    assert.match(
      assertThrowsCode(() => parsePkcs11Uri(text), "ERR_INVALID_INPUT").message,
      message,
    );
  }
});

Deno.test("formatPkcs11Uri() leaves out pin-value unless asked, and round-trips", () => {
  const text =
    "pkcs11:token=my%20station;object=a%3Bb;id=%01?module-path=/usr/lib/x.so&pin-value=1234";
  const uri = parsePkcs11Uri(text);
  assertEquals(
    formatPkcs11Uri(uri),
    "pkcs11:token=my%20station;object=a%3bb;id=%01?module-path=/usr/lib/x.so",
  );
  assertEquals(parsePkcs11Uri(formatPkcs11Uri(uri, { withPin: true })), uri);
});

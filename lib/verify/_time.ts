/**
 * Go's `time.RFC1123Z` layout in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`), which notation uses in
 * verification messages.
 *
 * @module
 */

/** Formats a time as Go's RFC1123Z in UTC. */
export function formatRfc1123z(time: Date): string {
  return time.toUTCString().replace(/GMT$/, "+0000");
}

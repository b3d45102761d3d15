/**
 * Installs the `reflect-metadata` polyfill. Kept in its own module so that bundlers evaluate it
 * before `@peculiar/x509` (which needs it at load time).
 *
 * @module
 */
import "npm:reflect-metadata@0.2.2";

declare const Bun: any;
import { npmSpecifiers } from "./bun_npm_specifiers.ts";
const [outfile, variant, order] = Bun.argv.slice(2);
const compile: any = { outfile };
if (variant.includes("n")) { compile.autoloadDotenv = false; compile.autoloadBunfig = false; }
if (variant.includes("o")) compile.bytecodeOrder = order;
const r = await Bun.build({ entrypoints: ["cli.ts"], minify: true, bytecode: true, splitting: true, format: "esm",
  ...(variant.includes("m") ? { minChunkSize: 16384 } : {}), compile, plugins: [npmSpecifiers] });
for (const l of r.logs) console.error(String(l)); if (!r.success) process.exit(1);

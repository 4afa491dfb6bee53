import type { BunPlugin } from "bun";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const LOADER_SUFFIX = ".loader.cjs";

/** The prebuilt N-API addon file name for this machine (glibc builds; musl has its own). */
function addonFileName(): string {
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  return glibc ? "node.napi.glibc.node" : "node.napi.musl.node";
}

/**
 * Makes `bun build --compile` carry lmdb's and msgpackr-extract's native addons inside the binary.
 * Both find their `.node` file on disk at run time through node-gyp-build-optional-packages, which
 * fails in a compiled binary; this plugin swaps that lookup for a static `require()` of the prebuild,
 * so Bun embeds the file. It also embeds lmdb's compression dictionary, read from disk at open.
 */
export const embedNativeAddons: BunPlugin = {
  name: "embed-native-addons",
  setup(build) {
    build.onResolve({ filter: /^node-gyp-build-optional-packages$/ }, (args) => {
      const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(args.importer);
      if (!match) throw new Error(`cannot tell which package loads a native addon: ${args.importer}`);
      const pkg = match[1]!;
      const platformPackage = `@${pkg}/${pkg}-${process.platform}-${process.arch}`;
      const addon = createRequire(args.importer).resolve(`${platformPackage}/${addonFileName()}`);
      // The loader must have a path of its own: with the addon's path it would require itself.
      return { path: addon + LOADER_SUFFIX, namespace: "native-addon-loader" };
    });

    build.onLoad({ filter: /.*/, namespace: "native-addon-loader" }, (args) => ({
      loader: "js",
      contents:
        `const addon = require(${JSON.stringify(args.path.slice(0, -LOADER_SUFFIX.length))});\n` +
        "module.exports = () => addon;\n",
    }));

    build.onLoad({ filter: /node_modules[\\/]lmdb[\\/]open\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const lookup = /new URL\(\s*'\.\/dict\/dict\.txt',\s*import\.meta\.url\.replace\([^\n]*\),?\s*\)/;
      if (!lookup.test(source)) throw new Error("lmdb/open.js no longer reads dict/dict.txt as expected; update the build plugin");
      const dictionary = JSON.stringify(join(dirname(args.path), "dict", "dict.txt"));
      return {
        loader: "js",
        contents: `import __lmdbDictionary from ${dictionary} with { type: "file" };\n` + source.replace(lookup, "__lmdbDictionary"),
      };
    });
  },
};

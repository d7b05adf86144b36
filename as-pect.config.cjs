// as-pect runs the AssemblyScript unit tests (filter/**/__tests__/*.spec.ts) in Node's V8.
// It uses as-pect.asconfig.json, which does not extend asconfig.json: unit tests exercise the filter's pure
// modules (table readers, automata, transformations) without the proxy-wasm SDK and its abort handler.
module.exports = {
  entries: ["filter/**/__tests__/**/*.spec.ts"],
  include: ["filter/**/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};

// Hardhat 2 config for Origo. It compiles the same sources as scripts/compile_contracts.py
// (contracts/ at the repository root, OpenZeppelin from node_modules) with the same compiler
// and settings, read from contracts/compiler.json, so both produce the same bytecode.
//
// Offline: Hardhat 2 downloads compilers by default, which these machines cannot do, so the
// solc build is the npm `solc` package's soljson.js (WebAssembly).
//
//   npx hardhat compile
//   npx hardhat --network devnet console
//   BESU_RPC_URL=https://... BESU_PRIVATE_KEYS=0x..,0x.. npx hardhat --network besu run <script>
const fs = require("node:fs");
const path = require("node:path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

const REPO = path.resolve(__dirname, "..");
// Where cache/ and artifacts/ go: here by default; tests point it at a temporary directory.
const BUILD = process.env.ORIGO_HARDHAT_BUILD_DIR || __dirname;
const compiler = JSON.parse(fs.readFileSync(path.join(REPO, "contracts", "compiler.json"), "utf8"));

// The well-known development mnemonic (anvil's and Hardhat's default); its keys are public.
const DEVNET_MNEMONIC = process.env.DEVNET_MNEMONIC || "test test test test test test test test test test test junk";

// Source names must be the ones scripts/compile_contracts.py uses ("contracts/X.sol",
// "@openzeppelin/contracts/..."), or the metadata hash, and so the bytecode, would differ. That
// needs the repository as the project root, but the npm packages live here, not at the root:
// Hardhat 2 looks for libraries only from the project root, so fall back to this directory.
const { Resolver } = require("hardhat/internal/solidity/resolver");
const resolveFromRoot = Resolver.prototype._resolveNodeModulesFileFromProjectRoot;
Resolver.prototype._resolveNodeModulesFileFromProjectRoot = function (fileName) {
  try {
    return resolveFromRoot.call(this, fileName);
  } catch (error) {
    return require("resolve").sync(fileName, { basedir: __dirname, preserveSymlinks: true });
  }
};

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, _hre, runSuper) => {
  if (args.solcVersion !== compiler.version) return runSuper(args);
  const solc = require("solc");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
  };
});

// Besu: the URL and the signing keys come from the environment, never from this file.
function besuAccounts() {
  return (process.env.BESU_PRIVATE_KEYS || "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
}

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: compiler.version,
    settings: compiler.settings,
  },
  paths: {
    root: REPO,
    sources: path.join(REPO, "contracts"),
    cache: path.join(BUILD, "cache"),
    artifacts: path.join(BUILD, "artifacts"),
    tests: path.join(__dirname, "test"),
  },
  networks: {
    devnet: {
      url: process.env.DEVNET_RPC_URL || "http://127.0.0.1:8545",
      chainId: 31337,
      accounts: { mnemonic: DEVNET_MNEMONIC },
    },
    besu: {
      url: process.env.BESU_RPC_URL || "http://127.0.0.1:8545",
      chainId: process.env.BESU_CHAIN_ID ? Number(process.env.BESU_CHAIN_ID) : undefined,
      accounts: besuAccounts(),
    },
  },
};

#!/usr/bin/env node
// Prints, one per line, the CID the reference UnixFS importer gives each file named on the command line,
// set like `ipfs add --cid-version 1 --raw-leaves` (fixed-size chunker, balanced layout, sha2-256).
// Used by the tests to check the node's own importer; `--chunk-size N` and `--max-links N` shrink the
// tree's parameters so that deep trees can be checked with small files.
//
// Usage (from the repo root): node scripts/unixfs_cids.mjs [--chunk-size N] [--max-links N] FILE...
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// The packages live in hardhat-config/node_modules, outside this script's resolution path, so they are
// imported by absolute URL of their ESM entry points.
const modules = join(dirname(fileURLToPath(import.meta.url)), '..', 'hardhat-config', 'node_modules')
const load = (entry) => import(pathToFileURL(join(modules, entry)).href)

const { importer } = await load('ipfs-unixfs-importer/dist/src/index.js')
const { fixedSize } = await load('ipfs-unixfs-importer/dist/src/chunker/index.js')
const { balanced } = await load('ipfs-unixfs-importer/dist/src/layout/index.js')
const { MemoryBlockstore } = await load('blockstore-core/dist/src/index.js')

function parseArgs (argv) {
  const options = { chunkSize: 262144, maxLinks: 174, files: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--chunk-size' || arg === '--max-links') {
      const value = Number.parseInt(argv[++i], 10)
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(`${arg} needs a positive integer`)
      }
      options[arg === '--chunk-size' ? 'chunkSize' : 'maxLinks'] = value
    } else {
      options.files.push(arg)
    }
  }
  return options
}

const options = parseArgs(process.argv.slice(2))
for (const file of options.files) {
  const content = await readFile(file)
  const blockstore = new MemoryBlockstore()
  let root
  for await (const entry of importer([{ content }], blockstore, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: options.chunkSize }),
    layout: balanced({ maxChildrenPerNode: options.maxLinks })
  })) {
    root = entry
  }
  process.stdout.write(`${root.cid.toString()}\n`)
}

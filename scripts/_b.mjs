import { bundleEntry, checkAndRecord } from '../dist/cli/entry/bundle.js';
const { file } = await bundleEntry({ entry: 'test/fixtures/entries/lazy/server.ts', outdir: process.argv[2], cwd: process.cwd(), split: true, minify: true });
console.log(file, (await checkAndRecord(file)).manifest);

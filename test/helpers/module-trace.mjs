// Loaded with `node --import`: writes every module URL the process resolves to MODULE_TRACE_FILE.
import { register } from 'node:module';

register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file: process.env.MODULE_TRACE_FILE } });

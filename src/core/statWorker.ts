// Entry of the stat walk's worker threads (bundled as dist/statWorker.js): see statWalk.ts.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runStatWorker, STAT_WORKER_MARKER } from './statWalk';

const data = workerData as Parameters<typeof runStatWorker>[0] | undefined;
if (!isMainThread && parentPort && data?.marker === STAT_WORKER_MARKER) void runStatWorker(data, parentPort);

/**
 * `gazebench submit`: upload a folder of saliency maps to a run on a Gazebench server.
 *
 *   gazebench submit --run <run id> --maps <dir> --server <url> [--token gzb_…]
 *
 * Every `<image>.npy` in the folder (2-D float16/float32/float64, the image's size or the model's input
 * size; named after the dataset image, with or without its extension) is sent as one request
 * (`POST /api/v1/runs/{id}/maps?image=<name>`, application/octet-stream, Bearer token). The server
 * validates and scores; a map it already has (409) is skipped, so an interrupted submit can simply
 * be run again. The token comes from --token or GAZEBENCH_TOKEN. Exit 0 when every map is stored
 * or already there, 2 when the server refuses one (bad map, unknown image: the server's reason is
 * printed with the file), 1 on a server or network failure.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './main';

const HELP = `Usage: gazebench submit --run <run id> --maps <dir> --server <url> [--token gzb_…]
  --run      the run id (create runs with POST /api/v1/runs)
  --maps     folder of <image>.npy files (image's size or the model's input size)
  --server   base URL of the Gazebench server, e.g. http://localhost:3000
  --token    API token (gzb_…); default $GAZEBENCH_TOKEN
Exit codes: 0 all stored (or already there), 2 a map or the arguments were refused, 1 server/network failure.`;

interface ErrorBody {
  error?: string;
  detail?: string;
  field?: string;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { run: { type: 'string' }, maps: { type: 'string' }, server: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const runId = values.run ?? '';
  if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new UsageError('--run must be a run id (UUID)');
  if (!values.maps) throw new UsageError('--maps <dir> is required');
  let server: URL;
  try {
    server = new URL(values.server ?? '');
  } catch {
    throw new UsageError('--server must be a URL such as http://localhost:3000');
  }
  const token = values.token ?? process.env.GAZEBENCH_TOKEN ?? '';
  if (!token.startsWith('gzb_')) throw new UsageError('--token (or GAZEBENCH_TOKEN) must be an API token starting with gzb_');
  const files = (await readdir(values.maps)).filter((f) => f.toLowerCase().endsWith('.npy')).sort();
  if (files.length === 0) throw new UsageError(`${values.maps}: no .npy files`);
  const headers = { Authorization: `Bearer ${token}` };
  let stored = 0;
  let skipped = 0;
  for (const file of files) {
    const image = file.replace(/\.npy$/i, '');
    const url = new URL(`/api/v1/runs/${runId}/maps`, server);
    url.searchParams.set('image', image);
    const bytes = await readFile(path.join(values.maps, file));
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
    } catch (error) {
      process.stderr.write(`gazebench submit: ${file}: cannot reach ${server.origin} (${error instanceof Error ? error.message : String(error)})\n`);
      return 1;
    }
    if (res.status === 201) stored++;
    else if (res.status === 409) skipped++;
    else {
      const body = (await res.json().catch(() => ({}))) as ErrorBody;
      process.stderr.write(`gazebench submit: ${file}: ${res.status} ${body.detail ?? body.error ?? res.statusText}\n`);
      return res.status >= 500 ? 1 : 2;
    }
    process.stderr.write(`\rsubmit: ${stored + skipped}/${files.length} maps`);
  }
  process.stderr.write('\n');
  const progress = await fetch(new URL(`/api/v1/runs/${runId}`, server), { headers }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const p = (progress as { progress?: { mapsReceived: number; images: number; scoresDone: number; scoresExpected: number } } | null)?.progress;
  process.stdout.write(
    `stored ${stored} map(s), ${skipped} already there${p ? `; run has ${p.mapsReceived}/${p.images} maps, ${p.scoresDone}/${p.scoresExpected} scores so far (scoring continues on the server)` : ''}\n`,
  );
  return 0;
}

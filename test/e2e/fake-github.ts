/**
 * A local stand-in for the GitHub REST API endpoints the action calls, answering with
 * GitHub-shaped JSON and Link-header pagination. Records every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file entry as `GET /repos/{o}/{r}/pulls/{n}/files` returns it. */
export interface PrFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  previous_filename?: string;
}

/** An issue comment as the API returns it. */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/** Server state and handle. */
export interface FakeGitHub {
  url: string;
  comments: FakeComment[];
  requests: { method: string; path: string }[];
  /** Answer comment writes with this status (e.g. 403) when set. */
  denyWrites?: number;
  close(): Promise<void>;
}

/** Options: the repository, the PR, its files, and the page size the server enforces. */
export interface FakeOptions {
  owner: string;
  repo: string;
  number: number;
  files: PrFile[];
  /** Max items per page whatever per_page asks (GitHub caps at 100; small here to paginate). */
  pageSize: number;
  comments?: FakeComment[];
  /** Raw file contents served by `GET /repos/{o}/{r}/contents/{path}?ref=`, keyed `ref:path`. */
  blobs?: Record<string, Buffer>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/** Starts the server on 127.0.0.1 at a random port. */
export async function startFakeGitHub(o: FakeOptions): Promise<FakeGitHub> {
  const base = `/repos/${o.owner}/${o.repo}`;
  let nextId = 1000;
  const state: FakeGitHub = {
    url: '',
    comments: o.comments ?? [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const apiComment = (c: FakeComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${state.url}${base}/issues/comments/${c.id}`,
    html_url: `https://github.com/${o.owner}/${o.repo}/pull/${o.number}#issuecomment-${c.id}`,
    issue_url: `${state.url}${base}/issues/${o.number}`,
    body: c.body,
    user: { ...c.user, id: 41898282 },
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    author_association: 'NONE',
  });
  const paginate = (res: ServerResponse, url: URL, items: unknown[]) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), o.pageSize);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => {
      const u = new URL(url);
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const rels: string[] = [];
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    send(res, 200, items.slice((page - 1) * perPage, page * perPage), rels.length ? { link: rels.join(', ') } : {});
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    const method = req.method ?? 'GET';
    state.requests.push({ method, path: url.pathname + url.search });
    const path = url.pathname;
    try {
      if (method === 'GET' && path === `${base}/pulls/${o.number}/files`) {
        return paginate(
          res,
          url,
          o.files.map((f, i) => ({
            sha: `${i}`.padStart(40, 'a'),
            filename: f.filename,
            status: f.status,
            additions: 0,
            deletions: 0,
            changes: 0,
            blob_url: `https://github.com/${o.owner}/${o.repo}/blob/x/${f.filename}`,
            raw_url: `https://github.com/${o.owner}/${o.repo}/raw/x/${f.filename}`,
            contents_url: `${state.url}${base}/contents/${f.filename}`,
            ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
          })),
        );
      }
      if (path === `${base}/issues/${o.number}/comments`) {
        if (method === 'GET') return paginate(res, url, state.comments.map(apiComment));
        if (method === 'POST') {
          if (state.denyWrites) return send(res, state.denyWrites, { message: 'Resource not accessible by integration' });
          const body = (await readBody(req)) as { body: string };
          const c: FakeComment = { id: nextId++, body: body.body, user: { login: 'github-actions[bot]', type: 'Bot' } };
          state.comments.push(c);
          return send(res, 201, apiComment(c));
        }
      }
      if (method === 'GET' && path.startsWith(`${base}/contents/`)) {
        const file = decodeURIComponent(path.slice(`${base}/contents/`.length));
        const blob = o.blobs?.[`${url.searchParams.get('ref')}:${file}`];
        if (!blob) return send(res, 404, { message: 'Not Found' });
        // GitHub answers the raw media type with the bytes themselves.
        res.writeHead(200, { 'content-type': 'application/vnd.github.raw+json; charset=utf-8' });
        return res.end(blob);
      }
      const m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
      if (m && method === 'PATCH') {
        if (state.denyWrites) return send(res, state.denyWrites, { message: 'Resource not accessible by integration' });
        const c = state.comments.find((x) => x.id === Number(m[1]));
        if (!c) return send(res, 404, { message: 'Not Found' });
        c.body = ((await readBody(req)) as { body: string }).body;
        return send(res, 200, apiComment(c));
      }
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    } catch (e) {
      send(res, 500, { message: String(e) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

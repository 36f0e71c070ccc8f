// A stand-in for the GitLab API on loopback, for the docs/ci.md GitLab recipes: it records
// every request (method and path, the PRIVATE-TOKEN header, the body) and answers 201.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequest {
  /** "POST /api/v4/projects/42/merge_requests" */
  url: string;
  token: string | undefined;
  body: string;
}

export interface GitlabApi {
  /** What the recipes get as CI_API_V4_URL. */
  baseUrl: string;
  requests: ApiRequest[];
  close(): Promise<void>;
}

export async function startGitlabApi(reply: string): Promise<GitlabApi> {
  const requests: ApiRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ url: `${req.method} ${req.url}`, token: req.headers['private-token'] as string | undefined, body });
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

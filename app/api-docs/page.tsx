import type { Metadata } from 'next';
import { API_ROUTES } from '@/lib/api';
import { apiDocument } from '@/lib/api/document';

export const metadata: Metadata = { title: 'API' };

type Json = Record<string, unknown>;

const AUTH_TEXT: Record<string, string> = {
  none: 'no sign-in (same-origin browsers or API clients)',
  public: 'anyone; private resources only for their owner',
  'signed-in': 'signed in, or a token with the read scope',
  session: 'browser session only (not API tokens)',
  write: 'signed in, or a token with the write scope',
  participant: 'a participant: the session’s token in the X-Session-Token header',
  'study-link': 'anyone with the study link (no credentials)',
};

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A server-rendered listing of /api/v1/openapi.json (no external assets). */
export default function ApiDocsPage() {
  const doc = apiDocument() as { info: { description: string; version: string }; paths: Record<string, Record<string, Json>> };
  const tags = [...new Set(API_ROUTES.flatMap((r) => r.tags))];
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">API</h1>
        <p className="max-w-3xl text-stone-700">{doc.info.description}</p>
        <p className="text-sm">
          OpenAPI 3.1 document: <a href="/api/v1/openapi.json" className="text-blue-700 hover:underline">/api/v1/openapi.json</a> (version {doc.info.version})
        </p>
        <pre className="max-w-3xl overflow-x-auto rounded bg-stone-900 p-3 text-xs text-stone-100">{`curl -H "Authorization: Bearer $GAZEBENCH_TOKEN" ${'<server>'}/api/v1/datasets
curl -H "Authorization: Bearer $GAZEBENCH_TOKEN" -H "Content-Type: application/zip" \\
     --data-binary @images.zip "<server>/api/v1/datasets/<id>/images?labelMode=prefix"`}</pre>
      </div>
      {tags.map((tag) => (
        <section key={tag} className="space-y-3" aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`} className="text-xl font-semibold capitalize">{tag}</h2>
          {API_ROUTES.filter((r) => r.tags.includes(tag)).map((r) => {
            const op = doc.paths[r.path]?.[r.method.toLowerCase()] ?? {};
            const params = (op.parameters as Json[] | undefined) ?? [];
            const body = op.requestBody as Json | undefined;
            const responses = (op.responses as Record<string, { description: string }> | undefined) ?? {};
            return (
              <article key={`${r.method} ${r.path}`} className="space-y-2 rounded border border-stone-200 bg-white p-4" data-testid="api-operation">
                <h3 className="font-mono text-sm">
                  <span className="mr-2 rounded bg-stone-800 px-1.5 py-0.5 text-white">{r.method}</span>
                  {r.path}
                </h3>
                <p className="text-sm">{r.summary}</p>
                {r.description ? <p className="text-sm text-stone-600">{r.description}</p> : null}
                <p className="text-xs text-stone-600">Access: {AUTH_TEXT[r.auth] ?? r.auth}</p>
                {params.length > 0 ? (
                  <ul className="text-xs text-stone-700">
                    {params.map((p) => (
                      <li key={`${String(p.in)}-${String(p.name)}`}>
                        <code>{String(p.name)}</code> ({String(p.in)}{p.required ? ', required' : ''}){p.description ? ` — ${String(p.description)}` : ''}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {body ? (
                  <details className="text-xs">
                    <summary className="cursor-pointer text-stone-700">Request body</summary>
                    <pre className="overflow-x-auto">{pretty(body.content)}</pre>
                  </details>
                ) : null}
                <ul className="text-xs text-stone-700">
                  {Object.entries(responses).map(([code, res]) => (
                    <li key={code}>
                      <code>{code}</code> {res.description}
                    </li>
                  ))}
                </ul>
              </article>
            );
          })}
        </section>
      ))}
    </div>
  );
}

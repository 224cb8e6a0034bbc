/**
 * REDIS_URL forms, parsed without loading a Redis client (the config uses these at start-up):
 * `redis://host:port` (one server) and `redis+cluster://[user:pass@]host:port,host:port` (a Redis Cluster;
 * the nodes are seeds, the client learns the rest of the cluster from them). `rediss` for TLS in both.
 */
export interface ClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

/** The seed nodes and credentials of a `redis+cluster://` URL; throws a clear error on a bad one. */
export function parseClusterUrl(url: string): ClusterTarget {
  const m = CLUSTER_SCHEME.exec(url);
  if (!m) throw new Error('not a redis+cluster:// URL');
  let rest = url.slice(m[0].length).replace(/\/.*$/, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
    password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) || undefined : undefined;
  }
  const nodes = rest.split(',').map((hp) => {
    const hm = /^(\[[^\]]+\]|[^:,\s]+):(\d{1,5})$/.exec(hp.trim());
    if (!hm || Number(hm[2]) > 65535) throw new Error(`cluster node '${hp}' must look like host:port`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ''), port: Number(hm[2]) };
  });
  return { nodes, username, password, tls: m[1] === 'rediss' };
}

/** host:port list for messages (never the credentials). */
export function redisHosts(url: string): string {
  if (isClusterUrl(url)) return parseClusterUrl(url).nodes.map((n) => `${n.host}:${n.port}`).join(',');
  return new URL(url).host;
}


/** What a container runtime's state files say of a container: its name, and its pod's. */
export interface RuntimeNames {
  name?: string;
  podName?: string;
  podNamespace?: string;
}

/**
 * The names in a runtime's JSON state file: an OCI config.json's
 * annotations (containerd's CRI plugin: io.kubernetes.cri.*; cri-o:
 * io.kubernetes.*), or docker's config.v2.json (`Name`, and the pod labels
 * dockershim and cri-dockerd set). Names are the runtime's strings: the
 * caller escapes them before they reach a terminal. Undefined for anything
 * that is not such a file.
 */
export function parseRuntimeConfig(text: string): RuntimeNames | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as { annotations?: unknown; Name?: unknown; Config?: { Labels?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const table = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
  const a = { ...table(d.Config?.Labels), ...table(d.annotations) };
  const out: RuntimeNames = {};
  const name = str(a['io.kubernetes.cri.container-name']) ?? str(a['io.kubernetes.container.name']) ?? str(d.Name)?.replace(/^\//, '');
  const podName = str(a['io.kubernetes.cri.sandbox-name']) ?? str(a['io.kubernetes.pod.name']);
  const podNamespace = str(a['io.kubernetes.cri.sandbox-namespace']) ?? str(a['io.kubernetes.pod.namespace']);
  if (name) out.name = name;
  if (podName) out.podName = podName;
  if (podNamespace) out.podNamespace = podNamespace;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Where each runtime keeps a container's state on the host, by full id
 * (paths under the host's root). containerd keeps one directory per
 * namespace: k8s.io for Kubernetes, moby for docker.
 */
export function runtimeConfigPaths(runtime: string, fullId: string): string[] {
  switch (runtime) {
    case 'docker':
      return [`/var/lib/docker/containers/${fullId}/config.v2.json`];
    case 'containerd':
      return ['k8s.io', 'moby', 'default'].map((ns) => `/run/containerd/io.containerd.runtime.v2.task/${ns}/${fullId}/config.json`);
    case 'cri-o':
    case 'podman':
      return [`/var/lib/containers/storage/overlay-containers/${fullId}/userdata/config.json`];
    default:
      return [];
  }
}

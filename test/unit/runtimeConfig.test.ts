import { describe, expect, it } from 'vitest';
import { parseRuntimeConfig, runtimeConfigPaths } from '../../collectors/parse/runtimeConfig.js';

describe("a container runtime's state file", () => {
  it("names a pod from containerd's sandbox annotations, and its container from a container's", () => {
    const sandbox = { ociVersion: '1.1.0', annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-name': 'web-7d9f8-x2x', 'io.kubernetes.cri.sandbox-namespace': 'shop' } };
    expect(parseRuntimeConfig(JSON.stringify(sandbox))).toEqual({ podName: 'web-7d9f8-x2x', podNamespace: 'shop' });
    const container = { annotations: { ...sandbox.annotations, 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.container-name': 'nginx' } };
    expect(parseRuntimeConfig(JSON.stringify(container))).toEqual({ name: 'nginx', podName: 'web-7d9f8-x2x', podNamespace: 'shop' });
  });

  it("names cri-o's from io.kubernetes.* annotations and docker's from config.v2.json", () => {
    const crio = { annotations: { 'io.kubernetes.pod.name': 'db-0', 'io.kubernetes.pod.namespace': 'data', 'io.kubernetes.container.name': 'POD' } };
    expect(parseRuntimeConfig(JSON.stringify(crio))).toEqual({ name: 'POD', podName: 'db-0', podNamespace: 'data' });
    const docker = { ID: 'ab'.repeat(32), Name: '/web', Config: { Labels: { maintainer: 'x' } } };
    expect(parseRuntimeConfig(JSON.stringify(docker))).toEqual({ name: 'web' });
    const dockershim = { Name: '/k8s_POD_api-1_prod_uid_0', Config: { Labels: { 'io.kubernetes.pod.name': 'api-1', 'io.kubernetes.pod.namespace': 'prod' } } };
    expect(parseRuntimeConfig(JSON.stringify(dockershim))).toEqual({ name: 'k8s_POD_api-1_prod_uid_0', podName: 'api-1', podNamespace: 'prod' });
  });

  it('gives nothing for what is not such a file, and keeps hostile names as they are for the caller to escape', () => {
    for (const text of ['', 'not json', '[]', 'null', '{"annotations": "x"}', '{"Name": 3}', '{"ociVersion":"1.0"}']) expect(parseRuntimeConfig(text), text).toBeUndefined();
    expect(parseRuntimeConfig(JSON.stringify({ Name: '/\u001b]0;owned\u0007' }))?.name).toBe('\u001b]0;owned\u0007');
  });

  it('looks where each runtime keeps its containers', () => {
    expect(runtimeConfigPaths('docker', 'f00')).toEqual(['/var/lib/docker/containers/f00/config.v2.json']);
    expect(runtimeConfigPaths('containerd', 'f00')[0]).toBe('/run/containerd/io.containerd.runtime.v2.task/k8s.io/f00/config.json');
    expect(runtimeConfigPaths('cri-o', 'f00')).toEqual(['/var/lib/containers/storage/overlay-containers/f00/userdata/config.json']);
    expect(runtimeConfigPaths('kubepods', 'f00')).toEqual([]);
  });
});

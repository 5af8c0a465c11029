/**
 * Pod identity without a Kubernetes API: some netns names say which pod they
 * hold. The kernel lab (and simulations built like it) name a pod netns
 * `<prefix><namespace>_<pod>`, where the prefix is the literal start of the
 * `--pod-netns` glob. containerd's `cni-<uuid>` and docker's hex ids say
 * nothing, and get no identity.
 */
import type { PodIdentity } from './collect';

/** Kubernetes names: DNS labels for namespaces, DNS subdomains for pods. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The identity hook for a `--pod-netns` glob (or none): `PREFIX<namespace>_<pod>` names a pod. */
export function netnsNameIdentity(glob: string | undefined): PodIdentity {
  const star = glob === undefined ? -1 : glob.search(/[*?]/);
  const prefix = glob === undefined ? '' : star < 0 ? glob : glob.slice(0, star);
  return (netnsName) => {
    if (!netnsName.startsWith(prefix)) return undefined;
    const rest = netnsName.slice(prefix.length);
    const us = rest.indexOf('_');
    if (us < 0) return undefined;
    const namespace = rest.slice(0, us);
    const name = rest.slice(us + 1);
    return NAMESPACE.test(namespace) && POD.test(name) ? { namespace, name } : undefined;
  };
}

// Asset paths of Docker content in the shared model (the same as Nexus's, so browse shows familiar paths):
//
//   v2/-/blobs/sha256:<hex>              kind docker.blob      a layer or config held by the repository
//   v2/<image>/manifests/sha256:<hex>    kind docker.manifest  manifest bytes (sha256 = the manifest digest)
//   v2/<image>/manifests/<tag>           kind docker.tag       a tag; sha256 = the manifest it points at
export const KIND = { blob: 'docker.blob', manifest: 'docker.manifest', tag: 'docker.tag' } as const;

export const blobPath = (digest: string) => `v2/-/blobs/${digest}`;
export const manifestPrefix = (image: string) => `v2/${image}/manifests/`;
export const manifestPath = (image: string, reference: string) => `${manifestPrefix(image)}${reference}`;

/**
 * The value `load` resolves to, loaded by the first call and shared by later ones: how an adapter defers
 * loading its module (the AWS SDK, a store backend) until a flow first uses it.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

import { useEffect, useRef, useState } from 'react';
import type { Store } from '../store.js';

/**
 * A view model rebuilt on every store tick, and frozen while `paused`: the
 * sampling goes on underneath, the screen holds still for reading.
 */
export function useStoreModel<M>(store: Store, paused: boolean, build: () => M, deps: unknown[] = []): M {
  const [model, setModel] = useState<M>(build);
  const pausedRef = useRef(paused);
  const buildRef = useRef(build);
  pausedRef.current = paused;
  buildRef.current = build;
  useEffect(
    () =>
      store.subscribe(() => {
        if (!pausedRef.current) setModel(buildRef.current());
      }),
    [store],
  );
  // Leaving pause (or changing what the model shows) takes effect at once, not at the next tick.
  useEffect(() => {
    if (!paused) setModel(buildRef.current());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paused, ...deps]);
  return model;
}

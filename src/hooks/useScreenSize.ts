import { useEffect, useState } from 'react';
import type { Screen, ScreenSize } from '../screen/screen.js';

/** The screen's size, followed through resizes. */
export function useScreenSize(screen: Screen): ScreenSize {
  const [size, setSize] = useState<ScreenSize>(screen.size);
  useEffect(() => {
    setSize(screen.size);
    return screen.onResize(setSize);
  }, [screen]);
  return size;
}

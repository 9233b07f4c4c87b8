import { useEffect, useState } from "react";

/** `value`, once it has stayed the same for `ms` milliseconds (search boxes, previews). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

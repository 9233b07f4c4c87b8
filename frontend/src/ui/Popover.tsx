import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

interface PopoverProps {
  anchor: HTMLElement | null;
  onClose: () => void;
  children: ReactNode;
  align?: "start" | "end";
  className?: string;
  width?: number;
}

/** A floating panel next to its anchor; closes on outside click and Escape. */
export function Popover({ anchor, onClose, children, align = "start", className, width }: PopoverProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);

  useLayoutEffect(() => {
    if (!anchor) return;
    const r = anchor.getBoundingClientRect();
    const panel = ref.current;
    const w = panel?.offsetWidth ?? width ?? 220;
    const h = panel?.offsetHeight ?? 200;
    let left = align === "end" ? r.right - w : r.left;
    left = Math.max(8, Math.min(left, window.innerWidth - w - 8));
    let top = r.bottom + 4;
    if (top + h > window.innerHeight - 8 && r.top - h - 4 > 8) top = r.top - h - 4;
    setPos({ top, left });
  }, [anchor, align, width]);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (ref.current?.contains(t) || anchor?.contains(t)) return;
      // Clicks inside another portal (nested popover/modal) must not close this one.
      if ((t as HTMLElement).closest?.(".popover, .modal-backdrop")) return;
      onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
        anchor?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [anchor, onClose]);

  return createPortal(
    <div
      ref={ref}
      className={`popover ${className ?? ""}`}
      style={{ top: pos?.top ?? -9999, left: pos?.left ?? -9999, width }}
      role="dialog"
    >
      {children}
    </div>,
    document.body,
  );
}

/** State helper: `const menu = usePopover(); <button onClick={menu.toggle} ref={menu.ref}>` */
export function usePopover() {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return {
    anchor,
    open: anchor !== null,
    toggle: (e: { currentTarget: HTMLElement }) => {
      const target = e.currentTarget;
      setAnchor((a) => (a ? null : target));
    },
    close: () => setAnchor(null),
  };
}

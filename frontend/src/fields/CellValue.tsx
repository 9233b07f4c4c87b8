import { AlertCircle, Check, FileText, Star } from "lucide-react";
import type { Attachment, Choice, Field, UserRef } from "../api/types";
import { formatCell, isCellError, resultField, safeHref } from "./format";
import "./fields.css";

export function choiceColor(field: Field, name: string): string {
  const c = (field.options?.choices ?? []).find((x: Choice) => x.name === name);
  return c?.color ?? "gray";
}

export function SelectChip({ field, name }: { field: Field; name: string }) {
  return <span className={`chip chip-${choiceColor(field, name)}`}>{name}</span>;
}

export function Stars({ value, max, onChange }: { value: number; max: number; onChange?: (v: number) => void }) {
  return (
    <span className="stars" role={onChange ? "radiogroup" : "img"} aria-label={`${value} of ${max}`}>
      {Array.from({ length: max }, (_, i) => {
        const on = i < value;
        const star = <Star size={14} className={on ? "star on" : "star"} fill={on ? "currentColor" : "none"} />;
        return onChange ? (
          <button key={i} type="button" className="star-btn" role="radio" aria-checked={i + 1 === value} aria-label={`${i + 1} star${i ? "s" : ""}`} onClick={(e) => { e.stopPropagation(); onChange(i + 1 === value ? 0 : i + 1); }}>
            {star}
          </button>
        ) : (
          <span key={i}>{star}</span>
        );
      })}
    </span>
  );
}

export function isImage(a: Attachment): boolean {
  return a.mime_type?.startsWith("image/") ?? false;
}

/** Same-origin attachment URLs only (the API serves them authorized under /api/v1/files). */
export function attachmentUrl(a: Attachment): string | null {
  try {
    const u = new URL(a.url, window.location.origin);
    return u.origin === window.location.origin ? u.href : null;
  } catch {
    return null;
  }
}

export function AttachmentThumb({ a, size = 22 }: { a: Attachment; size?: number }) {
  const url = attachmentUrl(a);
  if (isImage(a) && url) return <img className="thumb" src={url} alt={a.name} title={a.name} style={{ height: size, maxWidth: size * 2 }} />;
  return (
    <span className="thumb-file" title={a.name} style={{ height: size }}>
      <FileText size={12} /> <span className="truncate">{a.name}</span>
    </span>
  );
}

/** A cell value for reading (grid cells, cards, read-only fields). Always text, never HTML. */
export function CellValue({ field, value, wrap = false }: { field: Field; value: unknown; wrap?: boolean }) {
  if (isCellError(value)) {
    return (
      <span className="cell-error" title={value.message ?? value.error} aria-label={`Error: ${value.message ?? value.error}`}>
        <AlertCircle size={13} /> {value.error}
      </span>
    );
  }
  const inner = resultField(field);
  if (inner) {
    if (field.type === "lookup" && Array.isArray(value) && !["link", "collaborator", "attachment", "multiple_select"].includes(inner.type)) {
      return <span className={`chips${wrap ? " wrap" : ""}`}>{value.map((v, i) => <CellValue key={i} field={inner} value={v} wrap={wrap} />)}</span>;
    }
    return <CellValue field={inner} value={value} wrap={wrap} />;
  }
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) {
    return field.type === "button" ? <span className="btn btn-sm cell-button">{field.options?.label || "Run"}</span> : null;
  }
  const chipsClass = `chips${wrap ? " wrap" : ""}`;
  switch (field.type) {
    case "checkbox":
      return value ? <span className="cell-check" aria-label="Checked"><Check size={14} strokeWidth={3} /></span> : null;
    case "single_select":
      return <SelectChip field={field} name={String(value)} />;
    case "multiple_select":
      return <span className={chipsClass}>{(value as string[]).map((n) => <SelectChip key={n} field={field} name={n} />)}</span>;
    case "rating":
      return <Stars value={Number(value) || 0} max={field.options?.max || 5} />;
    case "link":
      return <span className={chipsClass}>{(value as { id: number; name: string }[]).map((l) => <span key={l.id} className="chip chip-link">{l.name || `#${l.id}`}</span>)}</span>;
    case "collaborator":
    case "created_by":
    case "modified_by": {
      const users = (Array.isArray(value) ? value : [value]) as UserRef[];
      return <span className={chipsClass}>{users.map((u) => <span key={u.id} className="chip">{u.name || u.email}</span>)}</span>;
    }
    case "attachment":
      return <span className={chipsClass}>{(value as Attachment[]).map((a) => <AttachmentThumb key={a.id} a={a} />)}</span>;
    case "url": {
      const href = safeHref(value);
      return href ? <a href={href} target="_blank" rel="noopener noreferrer nofollow" onClick={(e) => e.stopPropagation()}>{String(value)}</a> : <span>{String(value)}</span>;
    }
    case "email": {
      const href = safeHref(`mailto:${String(value)}`);
      return href ? <a href={href} onClick={(e) => e.stopPropagation()}>{String(value)}</a> : <span>{String(value)}</span>;
    }
    case "long_text":
      return <span className={wrap ? "pre-wrap" : "truncate"}>{String(value)}</span>;
    case "number": case "currency": case "percent": case "duration": case "count":
      return <span className="num">{formatCell(field, value)}</span>;
    default:
      return <span className={wrap ? "pre-wrap" : "truncate"}>{formatCell(field, value)}</span>;
  }
}
